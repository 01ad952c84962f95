"""An AWX-like schema with data, for backup round trips and the bench.

A few of AWX's shapes: organizations -> inventories -> job templates -> jobs -> job events
(foreign keys), large text (job stdout) and jsonb (extra_vars, event_data), a sequence, an
index, and django_migrations. Rows are generated server-side (generate_series), so a 1 GB
database takes minutes, not hours; the text repeats like real job output does, so it
compresses like it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg

SCHEMA = """
create table django_migrations (id serial primary key, app text not null, name text not null,
    applied timestamptz not null default now());
create table main_organization (id serial primary key, name text unique not null,
    description text not null default '');
create table main_inventory (id serial primary key, name text not null,
    organization_id int not null references main_organization(id), variables jsonb);
create table main_jobtemplate (id serial primary key, name text not null,
    inventory_id int references main_inventory(id), forks int not null default 5,
    extra_vars jsonb not null default '{}');
create table main_job (id bigserial primary key,
    job_template_id int not null references main_jobtemplate(id), status text not null,
    created timestamptz not null, result_stdout_text text, extra_vars jsonb);
create table main_jobevent (id bigserial primary key, job_id bigint not null
    references main_job(id), counter int not null, event text not null, event_data jsonb,
    stdout text, created timestamptz not null);
create index main_jobevent_job_counter on main_jobevent (job_id, counter);
"""

TABLES = (
    "django_migrations",
    "main_organization",
    "main_inventory",
    "main_jobtemplate",
    "main_job",
    "main_jobevent",
)


def populate(connection_kwargs: dict[str, Any], jobs: int, events_per_job: int = 20) -> None:
    """Create the schema and `jobs` jobs with `events_per_job` events each (~2.2 KB/event)."""
    with psycopg.connect(**connection_kwargs, autocommit=True) as connection:
        connection.execute(SCHEMA)
        connection.execute(
            "insert into django_migrations (app, name) select 'main', '0' || g || '_auto' "
            "from generate_series(1, 200) g"
        )
        connection.execute(
            "insert into main_organization (name) select 'org-' || g from generate_series(1, 5) g"
        )
        connection.execute(
            "insert into main_inventory (name, organization_id, variables) "
            "select 'inv-' || g, 1 + g % 5, jsonb_build_object('env', 'prod', 'n', g) "
            "from generate_series(1, 50) g"
        )
        connection.execute(
            "insert into main_jobtemplate (name, inventory_id, extra_vars) "
            "select 'jt-' || g, 1 + g % 50, jsonb_build_object('rollout', g, 'tags', "
            "jsonb_build_array('a', 'b')) from generate_series(1, 100) g"
        )
        connection.execute(
            "insert into main_job (job_template_id, status, created, result_stdout_text, "
            "extra_vars) select 1 + g %% 100, (array['successful','failed','canceled'])"
            "[1 + g %% 3],"
            " now() - g * interval '1 minute', repeat('PLAY [all] ok=' || g || E'\\n', 20), "
            "jsonb_build_object('job', g) from generate_series(1, %s) g",
            (jobs,),
        )
        connection.execute(
            "insert into main_jobevent (job_id, counter, event, event_data, stdout, created) "
            "select j, c, 'runner_on_ok', jsonb_build_object('host', 'host-' || (j * c) %% 997, "
            "'task', 'task ' || c, 'res', jsonb_build_object('changed', c %% 2 = 0, 'stdout', "
            "md5(j::text || c::text) || repeat(' ok', 40))), "
            "'TASK [role : step ' || c || '] ' || repeat('*', 60) || E'\\nok: [host-' || j || "
            "'] => ' || md5(c::text || j::text) || repeat(' changed=false', 20), "
            "now() - j * interval '1 minute' from generate_series(1, %s) j, "
            "generate_series(1, %s) c",
            (jobs, events_per_job),
        )
        connection.execute("analyze")


def table_checksums(connection_kwargs: dict[str, Any]) -> dict[str, str]:
    """sha256 over each table's rows in primary-key order (equal iff the contents are)."""
    sums: dict[str, str] = {}
    with psycopg.connect(**connection_kwargs) as connection:
        for table in TABLES:
            digest = hashlib.sha256()
            with connection.cursor() as cursor:
                for (row,) in cursor.execute(f"select t::text from {table} t order by id"):
                    digest.update(row.encode())
            sums[table] = digest.hexdigest()
    return sums
