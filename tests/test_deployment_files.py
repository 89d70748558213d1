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
    return set(re.findall(r'(?:environ\.get|env_\w+)\(\s*"([A-Z_]+)"', READ_BY_APP))


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgresql_16_with_a_volume_and_a_healthcheck():
    db = compose()["services"]["db"]
    assert db["image"] == "postgres:16"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_starts_the_app_under_gunicorn_after_migrating_and_loading_seeds():
    app = compose()["services"]["app"]
    command = app["command"]
    assert command.index("migrate") < command.index("load_seeds") < command.index("gunicorn")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["env_file"] == ".env"
    assert app["ports"] == ["127.0.0.1:8000:8000"]


def test_every_variable_compose_sets_is_read_by_the_app():
    environment = compose()["services"]["app"]["environment"]
    assert set(environment) <= read_variables()


def test_env_example_documents_exactly_the_variables_the_app_reads():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read_variables() <= documented
    assert documented - read_variables() == {"POSTGRES_PASSWORD"}


def test_the_database_url_in_compose_points_at_the_db_service():
    url = compose()["services"]["app"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://") and "@db:5432/" in url


def test_compose_runs_the_task_worker_with_the_apps_settings_and_media():
    services = compose()["services"]
    worker = services["worker"]
    assert worker["command"][:3] == ["python", "manage.py", "db_worker"]
    assert worker["environment"] == services["app"]["environment"]
    assert worker["volumes"] == services["app"]["volumes"]
    assert "check_sources" in services["source-checker"]["command"]
