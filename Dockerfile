# Runs the portal with uvicorn against PostgreSQL. Migrations are applied at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 APP_ENV=production \
    STORAGE_DIR=/data/files MAIL_DIR=/data/mail
WORKDIR /app
RUN useradd --create-home --uid 10001 portal && mkdir -p /data && chown portal /data
COPY . /app
RUN pip install --no-cache-dir -e . && chown -R portal /app
USER portal
EXPOSE 8000
# DATABASE_URL, SECRET_KEY, BASE_DOMAIN and the SMTP settings come from the environment.
CMD ["sh", "-c", "tenant-app migrate && exec uvicorn tenant_app.asgi:app --host 0.0.0.0 --port 8000 --proxy-headers --forwarded-allow-ips='*' --workers ${WEB_CONCURRENCY:-2} --no-server-header --timeout-graceful-shutdown 10"]
