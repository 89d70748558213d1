FROM python:3.11-slim

# compile_translations is pure Python (polib): the image needs no gettext.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles \
    CACHE_DIR=/data/cache
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tracker tracker
COPY submissions submissions
COPY moderation moderation
RUN pip install --no-cache-dir .
COPY . .
RUN export SECRET_KEY=build-only CONTACT_ENCRYPTION_KEYS=build-only \
    && python manage.py compile_translations && python manage.py collectstatic --noinput \
    && useradd --system --home /app app && mkdir -p /data/media /data/cache && chown app /data/media /data/cache
USER app
EXPOSE 8000
