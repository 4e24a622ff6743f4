#!/bin/sh
# Restore a backup made by scripts/backup.sh into an empty database and an empty file store.
#
#   scripts/restore.sh BACKUP_DIR
#
# DATABASE_URL names the database to fill: create it first (`createdb portal`); it must be
# empty, so nothing is overwritten by accident. The files go to STORAGE_DIR, or to the S3
# bucket (S3_*) with STORAGE_BACKEND=s3. Stop the app and the worker first, start them after:
# `tenant-app migrate` at start then applies migrations newer than the backup, if any.
set -eu

SOURCE=${1:?usage: restore.sh BACKUP_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}

: "${DATABASE_URL:?DATABASE_URL must name the (empty) PostgreSQL database to restore into}"
PG_URL=$(printf '%s' "${DATABASE_URL%%\?*}" | sed -e 's|^asyncpg://|postgresql://|')

# A damaged or incomplete backup is refused before anything is written.
(cd "$SOURCE" && sha256sum --check --quiet SHA256SUMS)

TABLES=$(psql "$PG_URL" --no-psqlrc --tuples-only --no-align --command \
  "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$TABLES" != "0" ]; then
  echo "restore.sh: the database already has tables; restore into an empty one" >&2
  exit 2
fi
pg_restore --no-owner --no-acl --exit-on-error --dbname="$PG_URL" "$SOURCE/database.dump"

if [ "${STORAGE_BACKEND:-local}" = "s3" ]; then
  "$PYTHON" "$HERE/object_copy.py" upload "$SOURCE/files"
else
  : "${STORAGE_DIR:?STORAGE_DIR must name the file storage directory}"
  mkdir -p "$STORAGE_DIR"
  cp -a "$SOURCE/files/." "$STORAGE_DIR/"
fi
if [ -d "$SOURCE/exports" ]; then  # the archives of deleted firms (backups made since the operator console)
  EXPORTS="$(dirname "${STORAGE_DIR:-data/files}")/exports"
  mkdir -p "$EXPORTS"
  cp -a "$SOURCE/exports/." "$EXPORTS/"
fi
echo "restored $SOURCE"
