"""AWS Signature Version 4 for the two requests obstore cannot sign for us.

obstore's `sign()` presigns a bare GET; a download also needs `response-content-disposition`
and `response-content-type` overrides, and those query parameters must be inside the
signature (S3 refuses them on an unsigned or differently signed URL). The header form signs
one plain request (the test server's `PUT /bucket`). The algorithm:
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED = "UNSIGNED-PAYLOAD"


def _encode(value: str, *, keep_slash: bool = False) -> str:
    """RFC 3986 encoding as S3 expects: only unreserved characters stay."""
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), day)
    for part in (region, "s3", "aws4_request"):
        key = _hmac(key, part)
    return key


def _host(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname or ""
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _signature(
    method: str,
    url: str,
    query: dict[str, str],
    headers: dict[str, str],
    payload_hash: str,
    *,
    secret: str,
    stamp: str,
    region: str,
) -> str:
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    names = sorted(headers)
    canonical = "\n".join(
        [
            method,
            _encode(urlsplit(url).path or "/", keep_slash=True),
            canonical_query,
            "".join(f"{name}:{headers[name].strip()}\n" for name in names),
            ";".join(names),
            payload_hash,
        ]
    )
    scope = f"{stamp[:8]}/{region}/s3/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _signing_key(secret, stamp[:8], region)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def presigned_url(
    url: str,
    *,
    access_key: str,
    secret: str,
    region: str,
    seconds: int,
    overrides: dict[str, str],
    now: datetime | None = None,
) -> str:
    """A GET of `url` (the object's unencoded address) valid `seconds`, with the given
    `response-*` overrides signed in."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    query = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{access_key}/{stamp[:8]}/{region}/s3/aws4_request",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(seconds),
        "X-Amz-SignedHeaders": "host",
        **overrides,
    }
    signature = _signature(
        "GET", url, query, {"host": _host(url)}, UNSIGNED, secret=secret, stamp=stamp, region=region
    )
    encoded = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    parts = urlsplit(url)
    path = _encode(parts.path, keep_slash=True)
    return f"{parts.scheme}://{parts.netloc}{path}?{encoded}&X-Amz-Signature={signature}"


def signed_headers(
    method: str, url: str, access_key: str, secret: str, region: str, body: bytes = b""
) -> dict[str, str]:
    """The headers that sign one request (Authorization and friends); `url` may hold a query."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {"host": _host(url), "x-amz-content-sha256": payload_hash, "x-amz-date": stamp}
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    signature = _signature(
        method, url, query, headers, payload_hash, secret=secret, stamp=stamp, region=region
    )
    credential = f"{access_key}/{stamp[:8]}/{region}/s3/aws4_request"
    authorization = (
        f"{ALGORITHM} Credential={credential}, SignedHeaders={';'.join(sorted(headers))}, "
        f"Signature={signature}"
    )
    return {
        "Authorization": authorization,
        "x-amz-content-sha256": payload_hash,
        "x-amz-date": stamp,
    }
