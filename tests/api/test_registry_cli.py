"""The built-in registry end to end: the real `backdrop` command manages data sets in the test
database, and read/write apps without STAGECRAFT_URL serve them (DESIGN.md "registry")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from tests.support.bodies import spec_body
from tests.support.builtin_registry import BuiltinApps
from tests.support.cli import Cli, Ran, one_line_error

RECORD = {"_timestamp": "2014-01-01T00:00:00Z", "value": 1}


def creating(name: str, *flags: str) -> tuple[str, ...]:
    """The arguments of `backdrop data-set create NAME`, routed at `NAME/t`."""
    return ("data-set", "create", name, "--data-group", name, "--data-type", "t", *flags)


def ok_json(result: Ran) -> Any:
    """The one JSON document a successful command prints."""
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # json.loads refuses anything after the first document


@pytest.fixture
def read_local(builtin_apps: BuiltinApps) -> str:
    return builtin_apps.read_url


@pytest.fixture
def write_local(builtin_apps: BuiltinApps) -> str:
    return builtin_apps.write_url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_prints_the_config_with_a_token_that_writes(
    cli_process: Cli,
    http: requests.Session,
    read_local: str,
    write_local: str,
    storage: Storage,
    data_set_name: str,
) -> None:
    created = ok_json(
        cli_process(
            "data-set",
            "create",
            data_set_name,
            "--data-group",
            "grp",
            "--data-type",
            data_set_name,
            "--raw-queries-allowed",
        )
    )
    token = created["bearer_token"]
    assert len(token) >= 32
    assert created["name"] == data_set_name
    assert (created["data_group"], created["data_type"]) == ("grp", data_set_name)
    assert created["raw_queries_allowed"] is True
    assert created["max_age_expected"] == 2678400
    assert (created["published"], created["queryable"], created["realtime"]) == (True, True, False)

    response = http.post(
        f"{write_local}/data/grp/{data_set_name}", json=RECORD, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    data = http.get(f"{read_local}/data/grp/{data_set_name}").json()["data"]
    assert [(row["value"], row["_timestamp"]) for row in data] == [(1, "2014-01-01T00:00:00+00:00")]
    by_name = http.get(f"{read_local}/{data_set_name}").json()["data"]
    assert [row["value"] for row in by_name] == [1]


def test_the_token_is_stored_hashed(cli_process: Cli, storage: Storage, data_set_name: str) -> None:
    token = ok_json(cli_process(*creating(data_set_name)))["bearer_token"]
    document = storage.get_document("data_sets", data_set_name)
    assert document is not None
    assert document["bearer_token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert "bearer_token" not in document
    assert token not in json.dumps(document, default=str)


def test_list_and_show_never_show_a_token(cli: Cli, data_set_name: str) -> None:
    created = ok_json(cli(*creating(data_set_name)))
    listed = ok_json(cli("data-set", "list"))
    mine = [item for item in listed if item["name"] == data_set_name]
    expected = {key: value for key, value in created.items() if key != "bearer_token"}
    assert mine == [expected]
    shown = ok_json(cli("data-set", "show", data_set_name))
    assert shown == expected
    for output in (cli("data-set", "list").stdout, cli("data-set", "show", data_set_name).stdout):
        assert created["bearer_token"] not in output
        assert "bearer_token" not in output


def test_show_of_an_unknown_data_set_is_a_one_line_error(cli: Cli, data_set_name: str) -> None:
    assert (
        one_line_error(cli("data-set", "show", data_set_name))
        == f'Error: No data set named "{data_set_name}"'
    )


def test_duplicates_are_refused_with_one_line(
    cli: Cli, cli_process: Cli, data_set_name: str
) -> None:
    ok_json(cli(*creating(data_set_name)))
    same_name = cli_process(
        "data-set", "create", data_set_name, "--data-group", "other", "--data-type", "t"
    )
    assert one_line_error(same_name) == f'Error: A data set named "{data_set_name}" already exists'
    same_route = cli_process(
        "data-set",
        "create",
        f"{data_set_name}_2",
        "--data-group",
        data_set_name,
        "--data-type",
        "t",
    )
    assert (
        one_line_error(same_route) == f'Error: A data set is already routed at "{data_set_name}/t"'
    )
    assert one_line_error(cli("data-set", "show", f"{data_set_name}_2")).startswith(
        "Error: No data set"
    )


def test_invalid_names_are_refused(cli: Cli) -> None:
    result = cli("data-set", "create", "Bad-Name", "--data-group", "g", "--data-type", "t")
    assert one_line_error(result).startswith('Error: "Bad-Name" is not a valid data set name')


def test_the_cli_refuses_to_run_when_stagecraft_is_configured(
    cli_process: Cli, cli_env: dict[str, str], data_set_name: str
) -> None:
    env = {**cli_env, "STAGECRAFT_URL": "http://127.0.0.1:9"}
    result = cli_process(*creating(data_set_name), env=env)
    assert one_line_error(result) == (
        "Error: STAGECRAFT_URL is set: data sets are managed in Stagecraft, not here"
    )


def test_rotate_token_stops_the_old_token_at_once(
    cli: Cli, http: requests.Session, write_local: str, data_set_name: str
) -> None:
    old = ok_json(cli(*creating(data_set_name)))
    url = f"{write_local}/data/{data_set_name}/t"
    assert http.post(url, json=RECORD, headers=bearer(old["bearer_token"])).ok
    rotated = ok_json(cli("data-set", "rotate-token", data_set_name))
    assert rotated["bearer_token"] != old["bearer_token"]
    refused = http.post(url, json=RECORD, headers=bearer(old["bearer_token"]))
    assert refused.status_code == 401
    assert refused.json()["message"] == (
        f"Unauthorized: Invalid bearer token '{old['bearer_token']}' for '{data_set_name}'"
    )
    assert http.post(url, json=RECORD, headers=bearer(rotated["bearer_token"])).ok


def test_update_moves_the_route_and_keeps_the_token(
    cli: Cli, http: requests.Session, write_local: str, read_local: str, data_set_name: str
) -> None:
    token = ok_json(cli(*creating(data_set_name)))["bearer_token"]
    updated = ok_json(
        cli("data-set", "update", data_set_name, "--data-type", "moved", "--realtime")
    )
    assert (updated["data_type"], updated["realtime"]) == ("moved", True)
    assert "bearer_token" not in updated
    gone = http.post(f"{write_local}/data/{data_set_name}/t", json=RECORD, headers=bearer(token))
    assert gone.status_code == 404
    assert http.post(
        f"{write_local}/data/{data_set_name}/moved", json=RECORD, headers=bearer(token)
    ).ok
    read = http.get(f"{read_local}/data/{data_set_name}/moved", params={"group_by": "value"})
    assert read.headers["Cache-Control"] == "max-age=120, must-revalidate"
    ok_json(cli("data-set", "update", data_set_name, "--no-realtime"))
    read = http.get(f"{read_local}/data/{data_set_name}/moved", params={"group_by": "value"})
    assert read.headers["Cache-Control"] == "max-age=1800, must-revalidate"


def test_update_of_an_unknown_data_set_fails(cli: Cli, data_set_name: str) -> None:
    result = cli("data-set", "update", data_set_name, "--realtime")
    assert one_line_error(result) == f'Error: No data set named "{data_set_name}"'


def test_delete_forgets_the_config_at_once(
    cli: Cli, http: requests.Session, write_local: str, read_local: str, data_set_name: str
) -> None:
    token = ok_json(cli(*creating(data_set_name)))["bearer_token"]
    assert ok_json(cli("data-set", "delete", data_set_name)) == {
        "status": "ok",
        "message": f"Deleted {data_set_name}",
        "records_dropped": False,
    }
    write = http.post(f"{write_local}/data/{data_set_name}/t", json=RECORD, headers=bearer(token))
    assert write.status_code == 404
    assert write.json()["message"] == "Could not find data_set_config"
    assert (
        http.get(f"{read_local}/data/{data_set_name}/t", params={"group_by": "value"}).status_code
        == 404
    )
    assert (
        one_line_error(cli("data-set", "delete", data_set_name))
        == f'Error: No data set named "{data_set_name}"'
    )


def test_delete_keeps_the_records_unless_told_to_drop_them(
    cli: Cli, http: requests.Session, write_local: str, read_local: str, data_set_name: str
) -> None:
    """Re-creating a deleted name brings its old records back, unless --drop-records."""
    for drop in (False, True):
        token = create(cli, data_set_name, "--raw-queries-allowed")
        posted = http.post(
            f"{write_local}/data/{data_set_name}/t", json=RECORD, headers=bearer(token)
        )
        assert posted.status_code == 200
        flags = ("--drop-records",) if drop else ()
        assert ok_json(cli("data-set", "delete", data_set_name, *flags))["records_dropped"] is drop
        create(cli, data_set_name, "--raw-queries-allowed")
        data = http.get(f"{read_local}/data/{data_set_name}/t").json()["data"]
        assert len(data) == (1 if not drop else 0)
        ok_json(cli("data-set", "delete", data_set_name, "--drop-records"))


def test_drop_records_works_once_the_config_is_gone(
    cli: Cli, http: requests.Session, write_local: str, data_set_name: str
) -> None:
    token = create(cli, data_set_name)
    assert http.post(f"{write_local}/data/{data_set_name}/t", json=RECORD, headers=bearer(token)).ok
    ok_json(cli("data-set", "delete", data_set_name))
    dropped = ok_json(cli("data-set", "delete", data_set_name, "--drop-records"))
    assert dropped == {
        "status": "ok",
        "message": f"Deleted {data_set_name}",
        "records_dropped": True,
    }
    assert one_line_error(cli("data-set", "delete", data_set_name, "--drop-records")) == (
        f'Error: No data set named "{data_set_name}" and no records stored under it'
    )


# -- every option takes effect in the apps ---------------------------------------------------


def create(cli: Cli, name: str, *flags: str) -> str:
    """Create `name` routed at /data/<name>/t; its token."""
    created = ok_json(cli(*creating(name, *flags)))
    return str(created["bearer_token"])


def test_schema_option_validates_records(
    cli: Cli, http: requests.Session, write_local: str, tmp_path: Path, data_set_name: str
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {"type": "object", "required": ["region"], "properties": {"region": {"type": "string"}}}
        )
    )
    token = create(cli, data_set_name, "--schema", str(schema))
    url = f"{write_local}/data/{data_set_name}/t"
    refused = http.post(url, json=[RECORD, {**RECORD, "region": 5}], headers=bearer(token))
    assert refused.status_code == 400
    assert spec_body(refused.json()) == {
        "messages": ["'region' is a required property", "5 is not of type 'string'"]
    }
    assert http.post(url, json={**RECORD, "region": "north"}, headers=bearer(token)).ok
    ok_json(cli("data-set", "update", data_set_name, "--no-schema"))
    assert http.post(url, json=RECORD, headers=bearer(token)).ok


def test_a_schema_file_that_is_not_json_is_a_usage_error(
    cli: Cli, cli_process: Cli, tmp_path: Path, data_set_name: str
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text("{not json")
    result = cli_process(*creating(data_set_name, "--schema", str(schema)))
    assert result.returncode == 2
    assert "cannot read a JSON schema" in result.stderr
    assert one_line_error(cli("data-set", "show", data_set_name)).startswith("Error: No data set")


def test_auto_ids_option_sets_ids(
    cli: Cli, http: requests.Session, write_local: str, storage: Storage, data_set_name: str
) -> None:
    token = create(cli, data_set_name, "--auto-ids", "region, value")
    url = f"{write_local}/data/{data_set_name}/t"
    assert http.post(
        url, json={**RECORD, "region": "north", "_id": "mine"}, headers=bearer(token)
    ).ok
    [record] = storage.find(data_set_name, Query())
    assert record["_id"] == "bm9ydGguMQ=="  # base64("north.1")


def test_capped_size_option_caps_the_data_set(
    cli: Cli, http: requests.Session, write_local: str, storage: Storage, data_set_name: str
) -> None:
    token = create(cli, data_set_name, "--capped-size", "1")
    url = f"{write_local}/data/{data_set_name}/t"
    for number in range(30):
        record = {**RECORD, "number": number, "padding": "x" * 200}
        assert http.post(url, json=record, headers=bearer(token)).ok
    kept = list(storage.find(data_set_name, Query()))
    assert 0 < len(kept) < 30
    assert kept[-1]["number"] == 29


def test_max_age_expected_none_is_never_stale(
    cli: Cli, http: requests.Session, write_local: str, read_local: str, data_set_name: str
) -> None:
    never = create(cli, f"{data_set_name}_never", "--max-age-expected", "none")
    minute = create(cli, f"{data_set_name}_minute", "--max-age-expected", "60")
    for data_set, token in ((f"{data_set_name}_never", never), (f"{data_set_name}_minute", minute)):
        assert http.post(f"{write_local}/data/{data_set}/t", json=RECORD, headers=bearer(token)).ok
    status = http.get(f"{read_local}/_status/data-sets").json()
    stale = {item["name"]: item for item in status["data_sets"]}
    assert status["status"] == "not okay"
    assert f"{data_set_name}_never" not in stale
    assert stale[f"{data_set_name}_minute"]["max-age-expected"] == 60
    assert stale[f"{data_set_name}_minute"]["last-updated"] == "2014-01-01T00:00:00+00:00"
    shown = ok_json(cli("data-set", "show", f"{data_set_name}_never"))
    assert shown["max_age_expected"] is None


def write_then_query(
    http: requests.Session, apps: tuple[str, str], name: str, token: str
) -> requests.Response:
    """POST RECORD to `name` (routed at NAME/t) with its token, then a grouped read of it."""
    write_local, read_local = apps
    assert http.post(f"{write_local}/data/{name}/t", json=RECORD, headers=bearer(token)).ok
    return http.get(f"{read_local}/data/{name}/t", params={"group_by": "value"})


def test_unpublished_option_adds_the_warning(
    cli: Cli, http: requests.Session, write_local: str, read_local: str, data_set_name: str
) -> None:
    token = create(cli, data_set_name, "--unpublished")
    response = write_then_query(http, (write_local, read_local), data_set_name, token)
    assert response.status_code == 200
    assert response.json()["warning"] == (
        "Warning: This data-set is unpublished. Data may be subject to change or be inaccurate."
    )
    assert response.headers["Cache-Control"] == "no-cache"


def test_not_queryable_option_hides_reads_but_not_writes(
    cli: Cli, http: requests.Session, write_local: str, read_local: str, data_set_name: str
) -> None:
    token = create(cli, data_set_name, "--not-queryable")
    response = write_then_query(http, (write_local, read_local), data_set_name, token)
    assert response.status_code == 404
    assert spec_body(response.json()) == {"status": "error", "message": "data_set not found"}


def test_realtime_option_shortens_the_cache(
    cli: Cli, http: requests.Session, read_local: str, data_set_name: str
) -> None:
    create(cli, data_set_name, "--realtime")
    response = http.get(f"{read_local}/data/{data_set_name}/t", params={"group_by": "value"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=120, must-revalidate"


def test_raw_queries_need_the_option(
    cli: Cli, http: requests.Session, read_local: str, data_set_name: str
) -> None:
    create(cli, f"{data_set_name}_raw", "--raw-queries-allowed")
    create(cli, f"{data_set_name}_grouped")
    assert http.get(f"{read_local}/data/{data_set_name}_raw/t").status_code == 200
    refused = http.get(f"{read_local}/data/{data_set_name}_grouped/t")
    assert refused.status_code == 400
    assert spec_body(refused.json()) == {
        "status": "error",
        "message": "querying for raw data is not allowed",
    }
