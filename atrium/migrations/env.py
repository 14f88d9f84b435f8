from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import atrium.models  # noqa: F401  registers every table
from atrium.db import make_engine

target_metadata = SQLModel.metadata


def run() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
