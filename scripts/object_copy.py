"""Copy the whole S3 bucket of the file storage to a directory, or a directory into it.

    python scripts/object_copy.py download DIR   (backup.sh)
    python scripts/object_copy.py upload DIR     (restore.sh)

The bucket and its credentials come from the app's settings (STORAGE_BACKEND=s3, S3_*), read
and connected exactly as the app does. Keys keep their names: `<tenant id>/<key>` in the
bucket is DIR/<tenant id>/<key>, the same layout as STORAGE_DIR, so a backup of either backend
restores into either. Files stream in chunks; memory stays flat for large documents.
"""

from __future__ import annotations

import sys
from pathlib import Path

import obstore

from tenant_app.files.s3 import S3Storage
from tenant_app.settings import load_settings


def download(store: obstore.store.S3Store, target: Path) -> int:
    count = 0
    for batch in obstore.list(store):
        for meta in batch:
            key = meta["path"]
            path = target / key
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as file:
                for chunk in obstore.get(store, key).stream():
                    file.write(chunk)
            count += 1
    return count


def upload(store: obstore.store.S3Store, source: Path) -> int:
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            obstore.put(store, path.relative_to(source).as_posix(), path)
            count += 1
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("download", "upload"):
        print(__doc__, file=sys.stderr)
        return 2
    settings = load_settings()
    if settings.storage_backend != "s3":
        print("object_copy.py: STORAGE_BACKEND is not s3", file=sys.stderr)
        return 2
    store = S3Storage(settings).store
    directory = Path(argv[2])
    if argv[1] == "download":
        directory.mkdir(parents=True, exist_ok=True)
        count = download(store, directory)
    else:
        count = upload(store, directory)
    print(f"{argv[1]}: {count} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
