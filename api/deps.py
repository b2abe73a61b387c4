"""What a route may ask for, as `Annotated` dependencies: the caller's identity (from `api.auth`), and the
installation's database, settings and queue (so that no route reaches into `request.app.state` itself).

The database is handed over whole rather than as one session per request: the services open their own
transactions (a write with BEGIN IMMEDIATE on SQLite, a read beside it, a retry after a conflict), and a
transaction that committed after the response was sent could fail unseen. The dependencies are async: they
only read the app's state, and a sync one would cost every request a trip through the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Admin, Caller, Host, Member
from api.queue import Queue
from api.settings import Settings
from api.storage.db import Database

__all__ = ["Admin", "Caller", "DatabaseDep", "Host", "Member", "QueueDep", "SettingsDep"]


async def database(request: Request) -> Database:
    return request.app.state.db


async def settings(request: Request) -> Settings:
    return request.app.state.settings


async def queue(request: Request) -> Queue:
    return request.app.state.queue


DatabaseDep = Annotated[Database, Depends(database)]
SettingsDep = Annotated[Settings, Depends(settings)]
QueueDep = Annotated[Queue, Depends(queue)]
