#!/bin/sh
# Back up the whole installation: the PostgreSQL database (pg_dump, custom format) and every
# stored file (the STORAGE_DIR directory, or the S3 bucket with STORAGE_BACKEND=s3) into one
# new folder named by the time: BACKUP_ROOT/20260131T020000Z/.
#
#   scripts/backup.sh [BACKUP_ROOT]        (default: ./backups)
#
# Reads the app's own settings from the environment: DATABASE_URL, STORAGE_BACKEND,
# STORAGE_DIR, S3_* (the same variables the app and `tenant-app worker` get). The app keeps
# running meanwhile: pg_dump reads one consistent snapshot, and the files are copied after it,
# so every document row in the dump finds its file (files are written before their row and
# never changed; only a file deleted during the copy can be missing, which its row no longer
# needs either). Restore with scripts/restore.sh. Move one tenant with `tenant-app tenant
# export/import` instead.
set -eu

ROOT=${1:-./backups}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
TARGET="$ROOT/$STAMP"
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
case "$DATABASE_URL" in
  postgres://* | postgresql://* | asyncpg://*) ;;
  *) echo "backup.sh: only PostgreSQL is backed up this way (copy the SQLite file instead)" >&2
     exit 2 ;;
esac
# pg_dump speaks libpq URLs: the app's scheme aliases go, its pool options too (TLS: PGSSLMODE).
PG_URL=$(printf '%s' "${DATABASE_URL%%\?*}" | sed -e 's|^asyncpg://|postgresql://|')

mkdir -p "$TARGET.partial"
pg_dump --format=custom --no-owner --no-acl --file="$TARGET.partial/database.dump" "$PG_URL"

if [ "${STORAGE_BACKEND:-local}" = "s3" ]; then
  "$PYTHON" "$HERE/object_copy.py" download "$TARGET.partial/files"
else
  : "${STORAGE_DIR:?STORAGE_DIR must name the file storage directory}"
  mkdir -p "$TARGET.partial/files"
  if [ -d "$STORAGE_DIR" ]; then
    cp -a "$STORAGE_DIR/." "$TARGET.partial/files/"
  fi
fi

# The archives of deleted firms (the operator's delete-with-export) live beside the files'
# folder, also with S3: they are the only copy of a deleted firm.
EXPORTS="$(dirname "${STORAGE_DIR:-data/files}")/exports"
mkdir -p "$TARGET.partial/exports"
if [ -d "$EXPORTS" ]; then
  cp -a "$EXPORTS/." "$TARGET.partial/exports/"
fi

# What restore.sh checks before it changes anything.
(cd "$TARGET.partial" && find database.dump files exports -type f -print0 | sort -z \
  | xargs -0 -r sha256sum > SHA256SUMS)
mv "$TARGET.partial" "$TARGET"  # only a complete backup carries the plain name
echo "$TARGET"
