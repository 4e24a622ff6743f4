# Runs the portal with uvicorn against PostgreSQL. Migrations are applied at start.
# The same image runs the background worker: `tenant-app worker` (see compose.yaml).
FROM python:3.11-slim-trixie

# postgresql-client: pg_dump/pg_restore for scripts/backup.sh and restore.sh (Debian trixie
# ships 17, matching compose.yaml's server; pg_dump must be at least the server's version).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# PROMETHEUS_MULTIPROC_DIR: the uvicorn workers share their metrics through files there, so a
# scrape of /metrics on the one port reports all of them (emptied at each start, below).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 APP_ENV=production \
    STORAGE_DIR=/data/files MAIL_DIR=/data/mail PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
WORKDIR /app
RUN useradd --create-home --uid 10001 portal && mkdir -p /data /backups && chown portal /data /backups
COPY . /app
RUN pip install --no-cache-dir -e . && chown -R portal /app
USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# DATABASE_URL, SECRET_KEY, BASE_DOMAIN, the SMTP and S3 settings and METRICS_TOKEN come from
# the environment.
CMD ["sh", "-c", "tenant-app migrate && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && rm -rf \"$PROMETHEUS_MULTIPROC_DIR\"/* && exec uvicorn tenant_app.asgi:app --host 0.0.0.0 --port 8000 --loop asyncio --proxy-headers --forwarded-allow-ips='*' --workers ${WEB_CONCURRENCY:-2} --no-server-header --timeout-graceful-shutdown 10"]
