FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DUEBOT_DATABASE_URL=sqlite:///data/duebot.sqlite3 \
    DUEBOT_SECRET_KEY_FILE=/data/duebot.secret

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY storage ./storage
COPY templates ./templates
COPY config ./config
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --create-home duebot

USER duebot
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
CMD ["duebot", "serve", "--host", "0.0.0.0", "--port", "8080"]
