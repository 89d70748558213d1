FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY tracker tracker
COPY submissions submissions
COPY moderation moderation
RUN pip install --no-cache-dir .
COPY . .
RUN export SECRET_KEY=build-only CONTACT_ENCRYPTION_KEYS=build-only \
    && python manage.py compile_translations && python manage.py collectstatic --noinput \
    && useradd --system --home /app app && mkdir -p /data/media && chown app /data/media
USER app
EXPOSE 8000
