"""Workspace: initialize, settings, folders, watched files, shutdown, and the `importsense/collectionStatus` request.

`collection_status` answers the custom request from `features/collection.py` (which also registers the
code lens and `importsense.recollect`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder

from ..documents import UTF8, UTF16, UTF32, uri_to_path
from ..projects import editor_settings
from ..session import ClientFeatures, Session
from . import diagnostics

log = logging.getLogger(__name__)

COLLECTION_STATUS = "importsense/collectionStatus"
WATCHED_GLOBS = ("**/*.py", "**/*.pyi", "**/pyproject.toml")


def register(server: Any, session: Session) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        session.client = ClientFeatures.from_capabilities(params.capabilities)
        encoding = ServerCapabilitiesBuilder.choose_position_encoding(params.capabilities)
        encoding = getattr(encoding, "value", encoding)
        session.documents.encoding = encoding if encoding in (UTF8, UTF16, UTF32) else UTF16
        folders = [uri_to_path(f.uri) for f in (params.workspace_folders or [])]
        if not folders and params.root_uri:
            folders = [uri_to_path(params.root_uri)]
        elif not folders and params.root_path:
            folders = [Path(params.root_path)]
        session.projects.set_folders([f for f in folders if f is not None])
        session.projects.set_editor_settings(editor_settings(params.initialization_options))
        if session.client.pull_diagnostics:
            diagnostics.register_pull(server, session)
        session.prepare_folders()  # build the projects now: the first didOpen should not wait for the file walk
        log.info("importsense %s: %d folder(s), %s diagnostics, %s positions", server.version,
                 len(session.projects.folders), "pull" if session.client.pull_diagnostics else "push",
                 session.documents.encoding)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        opening = asyncio.ensure_future(session.open_folders())  # not after the registration round trip
        if session.client.watched_files_registration:
            try:
                await server.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(
                        id="importsense-watched-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                            types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS
                        ]),
                    )
                ]))
            except Exception as error:  # noqa: BLE001 - without watchers we still see open buffers
                log.warning("the client did not register file watchers: %s", error)
        await opening

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if not settings and session.client.configuration:
            try:
                answer = await server.workspace_configuration_async(types.ConfigurationParams(
                    items=[types.ConfigurationItem(section="importsense")]))
                settings = answer[0] if answer else None
            except Exception:
                log.warning("could not read the configuration", exc_info=True)
        session.projects.set_editor_settings(editor_settings(settings))
        await session.reconfigure()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        changes = []
        for event in params.changes:
            path = uri_to_path(event.uri)
            if path is not None:
                changes.append((path.resolve(), event.type.name.lower()))
        await session.files_changed(changes)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_workspace_folders(params: types.DidChangeWorkspaceFoldersParams) -> None:
        folders = set(session.projects.folders)
        for removed in params.event.removed or []:
            path = uri_to_path(removed.uri)
            if path is not None:
                folders.discard(path.resolve())
                await session.scheduler.run(session.projects.drop, path.resolve())
        for added in params.event.added or []:
            path = uri_to_path(added.uri)
            if path is not None:
                folders.add(path)
        session.projects.set_folders(list(folders))
        await session.open_folders()
        session.recheck_all()

    @server.feature(COLLECTION_STATUS)
    async def collection_status(params: Any = None) -> dict[str, Any]:
        if session.collection is not None:  # features/collection.py
            return await session.collection.status()
        return {"files": [], "summary": {"files": 0, "tests": 0, "errors": 0}, "indexing": session.projects.indexing}

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: Any = None) -> None:
        await session.shutdown()
