# The production image: the app with its static files collected; services come from docker-compose.yml.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Runtime dependencies only, at the exact versions and hashes of the lock (`make lock`).
COPY requirements/production.txt requirements/production.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/production.txt
COPY . .
RUN pip install --no-cache-dir --no-deps .
COPY --from=assets /src/node_modules ./node_modules
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused@localhost/unused REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app oms && chown -R oms /app
USER oms
EXPOSE 8000
CMD ["gunicorn", "oms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
