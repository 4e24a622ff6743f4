"""Files in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, ...) through obstore.

The same keys and the same behaviour as LocalStorage: a missing object is FileNotFoundError,
a malformed key ValueError, and a save is all or nothing (a single PUT, or a multipart upload
that only becomes an object when it completes). A store that cannot be reached is
StorageUnavailable, soon: a few quick retries, not obstore's default of minutes, so an upload
fails with a clear page while the user still waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

import anyio
import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from tenant_app.files.s3_signing import presigned_url
from tenant_app.files.storage import READ_CHUNK, StorageUnavailable, check_key
from tenant_app.settings import Settings

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig

# Bytes per part of a multipart upload (S3's minimum but for the last part). With at most
# PARALLEL_PARTS in flight, an upload holds about PART_BYTES * (PARALLEL_PARTS + 1) in memory,
# whatever the file's size.
PART_BYTES = 5 * 1024 * 1024
PARALLEL_PARTS = 2
READ_BYTES = 1024 * 1024  # read from the spooled upload per trip to a worker thread
CONNECT_SECONDS = 3
REQUEST_SECONDS = 120  # one request: a part, or a whole small file
RETRIES = 2
RETRY_SECONDS = 10


def _endpoint(settings: Settings) -> str:
    """obstore wants a virtual-hosted endpoint to name the bucket; operators write the
    service's address (https://s3.eu-central-1.amazonaws.com) either way."""
    endpoint = settings.s3_endpoint.rstrip("/")
    if settings.s3_path_style:
        return endpoint
    parts = urlsplit(endpoint)
    if parts.netloc.startswith(settings.s3_bucket + "."):
        return endpoint
    return f"{parts.scheme}://{settings.s3_bucket}.{parts.netloc}{parts.path}"


class S3Storage:
    def __init__(self, settings: Settings) -> None:
        self.endpoint = _endpoint(settings)
        self.bucket = settings.s3_bucket
        self.path_style = settings.s3_path_style
        self.region = settings.s3_region
        self.access_key = settings.s3_access_key_id
        self.secret = settings.s3_secret_access_key
        self.presign_seconds = settings.s3_presign_seconds
        client: ClientConfig = {
            "connect_timeout": timedelta(seconds=CONNECT_SECONDS),
            "timeout": timedelta(seconds=REQUEST_SECONDS),
            "allow_http": self.endpoint.startswith("http:"),
        }
        retries: RetryConfig = {
            "max_retries": RETRIES,
            "retry_timeout": timedelta(seconds=RETRY_SECONDS),
        }
        self.store = S3Store(
            self.bucket,
            endpoint=self.endpoint,
            access_key_id=self.access_key,
            secret_access_key=self.secret,
            region=self.region,
            virtual_hosted_style_request=not self.path_style,
            client_options=client,
            retry_config=retries,
        )

    def _object_url(self, key: str) -> str:
        base = f"{self.endpoint}/{self.bucket}" if self.path_style else self.endpoint
        return f"{base}/{key}"

    async def save(self, key: str, source: BinaryIO) -> int:
        """Store the file under `key`; bytes written. A file of up to one part goes in one PUT,
        a larger one as a multipart upload fed part by part; StorageUnavailable if the store
        cannot be reached (nothing is left under `key` then)."""
        check_key(key)
        first = await anyio.to_thread.run_sync(source.read, PART_BYTES)
        written = len(first)
        try:
            if len(first) < PART_BYTES:
                await obstore.put_async(self.store, key, first, use_multipart=False)
                return written

            async def parts() -> AsyncIterator[bytes]:
                nonlocal written
                yield first
                while chunk := await anyio.to_thread.run_sync(source.read, READ_BYTES):
                    written += len(chunk)
                    yield chunk

            await obstore.put_async(
                self.store,
                key,
                parts(),
                chunk_size=PART_BYTES,
                max_concurrency=PARALLEL_PARTS,
            )
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error
        return written

    async def open(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            result = await obstore.get_async(self.store, key)
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error
        try:
            async for chunk in result.stream(min_chunk_size=READ_CHUNK):
                yield bytes(chunk)
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error

    async def read(self, key: str) -> bytes:
        check_key(key)
        try:
            result = await obstore.get_async(self.store, key)
            return bytes(await result.bytes_async())
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error

    async def delete(self, key: str) -> None:
        check_key(key)
        try:
            await obstore.delete_async(self.store, key)
        except FileNotFoundError:
            pass  # as a local file already gone: nothing to remove
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error

    async def exists(self, key: str) -> bool:
        check_key(key)
        try:
            await obstore.head_async(self.store, key)
        except FileNotFoundError:
            return False
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error
        return True

    async def tenant_keys(self, tenant_id: int) -> list[str]:
        def listed() -> list[str]:
            batches = obstore.list(self.store, prefix=f"{tenant_id}/")
            return sorted(str(meta["path"]) for batch in batches for meta in batch)

        try:
            return await anyio.to_thread.run_sync(listed)
        except BaseError as error:
            raise StorageUnavailable(str(error)) from error

    def offload_path(self, key: str) -> str | None:
        return None  # no front server in between: see download_url

    def download_url(self, key: str, *, disposition: str, content_type: str) -> str | None:
        """A presigned GET valid S3_PRESIGN_SECONDS, the response headers signed in (S3 answers
        with them, and a changed one breaks the signature), or None when not configured."""
        if not self.presign_seconds:
            return None
        check_key(key)
        overrides = {
            "response-content-disposition": disposition,
            "response-content-type": content_type,
            "response-cache-control": "private, no-store",
        }
        return presigned_url(
            self._object_url(key),
            access_key=self.access_key,
            secret=self.secret,
            region=self.region,
            seconds=self.presign_seconds,
            overrides=overrides,
        )
