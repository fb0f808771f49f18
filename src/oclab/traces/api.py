"""The REST API (``/api/v1``): tokens, trace requests and results, aggregates, the corridor
map, the inspector plan and the access log. Every call authenticates with ``Authorization:
Bearer TOKEN`` (or the pages' cookie); without one the caller is the public.

Answers: 401 bad token or password; 403 the role may not do this (logged); 404 no such trace
*or not one the caller may read* (logged as refused, answered alike so ids cannot be probed);
422 invalid fields, with ``detail: [{field, expected, got}]`` (logged as invalid).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from oclab.traces import analytics, audit, deploy
from oclab.traces.policy import PUBLIC, Principal
from oclab.traces.store import AuthError, Registry

COOKIE = "oclab_traces_token"
router = APIRouter(prefix="/api/v1")
JSON_BODY = Body(...)


def registry_of(request: Request) -> Registry:
    """The registry the application serves."""
    return request.app.state.registry


def current(request: Request) -> Principal:
    """The caller: the token's user, or the public when no token is given."""
    registry = registry_of(request)
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    token = token or request.cookies.get(COOKIE)
    if not token:
        return PUBLIC
    try:
        return registry.principal(token)
    except AuthError:
        registry.log(PUBLIC, "authenticate", "token", "refused", "unknown token")
        raise HTTPException(401, "unknown or revoked token") from None


CALLER = Depends(current)


@router.post("/tokens")
def login(request: Request, body: dict[str, Any] = JSON_BODY) -> dict[str, str]:
    """A new API token for a username and password."""
    try:
        token = registry_of(request).issue_token(
            str(body.get("username", "")), str(body.get("password", ""))
        )
    except AuthError as error:
        raise HTTPException(401, str(error)) from None
    return {"token": token}


@router.get("/me")
def me(who: Principal = CALLER) -> dict[str, Any]:
    """Who the caller is."""
    return {"username": who.username, "role": who.role, "jurisdiction": who.jurisdiction}


@router.patch("/me")
def change_me(
    request: Request, body: dict[str, Any] = JSON_BODY, who: Principal = CALLER
) -> Response:
    """Users may not change their own role or agency (refused and logged: 403)."""
    registry_of(request).refuse_role_change(who, {k: body[k] for k in sorted(body)[:5]})
    return error_json(403, "a user cannot change their own role")  # not reached: it raised


@router.post("/users", status_code=201)
def create_user(
    request: Request, body: dict[str, Any] = JSON_BODY, who: Principal = CALLER
) -> dict[str, int]:
    """Create a user (national trace unit only; others are refused and logged)."""
    try:
        user_id = registry_of(request).add_user(
            who,
            str(body.get("username", "")),
            str(body.get("password", "")),
            str(body.get("role", "")),
            body.get("agency_ori"),
        )
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return {"id": user_id}


@router.post("/traces", status_code=201)
def submit(
    request: Request, response: Response, body: dict[str, Any] = JSON_BODY, who: Principal = CALLER
) -> dict[str, Any]:
    """Submit a trace request (ATF F 3312.1 fields); idempotent per ``request_uid``."""
    trace_id, created = registry_of(request).submit(who, body)
    if not created:
        response.status_code = 200
    return {"id": trace_id, "created": created}


@router.get("/traces")
def list_traces(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    who: Principal = CALLER,
) -> list[dict[str, Any]]:
    """The traces the caller may read, newest first."""
    return registry_of(request).list(who, limit, offset)


@router.get("/traces/{trace_id}")
def read_trace(request: Request, trace_id: int, who: Principal = CALLER) -> dict[str, Any]:
    """One trace, if the caller may read it (404 otherwise, logged)."""
    return registry_of(request).get(who, trace_id)


@router.put("/traces/{trace_id}/result")
def record_result(
    request: Request, trace_id: int, body: dict[str, Any] = JSON_BODY, who: Principal = CALLER
) -> dict[str, Any]:
    """Record a trace result (national trace unit only)."""
    registry_of(request).record_result(who, trace_id, body)
    return {"id": trace_id, "recorded": True}


@router.get("/stats")
def stats(request: Request, who: Principal = CALLER) -> dict[str, Any]:
    """Aggregates the caller may see (small cells suppressed where the policy says)."""
    registry = registry_of(request)
    board = analytics.dashboard(registry.frame(who), registry.policy, who)
    board["tables"] = {name: table.to_dicts() for name, table in board["tables"].items()}
    return board


@router.get("/stats/corridors.png")
def corridor_png(request: Request, who: Principal = CALLER) -> Response:
    """The corridor map of the caller's aggregates."""
    registry = registry_of(request)
    table = analytics.corridors(registry.frame(who))
    if registry.policy.suppressed(who):
        table = analytics.suppress(table, registry.policy.min_cell)
    png = analytics.figure_png(analytics.corridor_map(table))
    return Response(png, media_type="image/png")


@router.get("/plan")
def inspector_plan(
    request: Request,
    inspectors: int = Query(..., ge=0, le=10_000),
    cost: float = Query(1.0, gt=0),
    budget: float | None = Query(None, ge=0),
    who: Principal = CALLER,
) -> dict[str, Any]:
    """The HiGHS inspector-deployment plan on the caller's (unsuppressed) aggregates."""
    registry = registry_of(request)
    if registry.policy.suppressed(who):
        registry.log(who, "plan", "dealers", "refused", "dealer-level data")
        raise HTTPException(403, "the plan needs dealer-level aggregates")
    result = deploy.plan(deploy.dealer_values(registry.frame(who)), inspectors, cost, budget)
    return result.summary() | {
        "dealers": result.dealers.to_dicts(),
        "regions": result.regions.to_dicts(),
    }


@router.get("/audit")
def access_log(
    request: Request,
    limit: int = Query(200, ge=1, le=10_000),
    outcome: str | None = Query(None, pattern="^(allowed|refused|invalid|missing)$"),
    who: Principal = CALLER,
) -> list[dict[str, Any]]:
    """The newest access-log entries (national trace unit only)."""
    registry = registry_of(request)
    if who.role not in registry.policy.admin_roles:
        registry.log(who, "read_audit", "access_log", "refused", "role")
        raise HTTPException(403, "only the national trace unit reads the access log")
    with registry.reads() as session:
        return audit.entries(session, limit, outcome)


def error_json(status: int, detail: Any) -> JSONResponse:
    """A JSON error answer."""
    return JSONResponse({"detail": detail}, status_code=status)
