"""Users: a roster file ``BUDGETLENS_HOME/roster.json`` and sign-in by name in the sidebar.

Only reviewers edit; analysts read, ask and upload. The roster is created with a default reviewer
(审核员) and analyst (分析员) when missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import streamlit as st
from pydantic import BaseModel, ValidationError

from qa_app.app.state import home_dir

DEFAULT_ROSTER = [{"name": "审核员", "role": "reviewer"}, {"name": "分析员", "role": "analyst"}]
ROLE_ZH = {"reviewer": "审核员", "analyst": "分析员"}
USER_KEY = "user_name"


class User(BaseModel):
    name: str
    role: Literal["analyst", "reviewer"]


class RosterError(ValueError):
    pass


def load_roster(home: Path) -> list[User]:
    path = home / "roster.json"
    if not path.exists():
        path.write_text(json.dumps(DEFAULT_ROSTER, ensure_ascii=False, indent=2), encoding="utf-8")
    try:
        users = [User.model_validate(u) for u in json.loads(path.read_text(encoding="utf-8"))]
    except (json.JSONDecodeError, ValidationError, TypeError) as exc:
        raise RosterError(f"{path} is not a list of {{\"name\", \"role\": analyst|reviewer}}: "
                          f"{str(exc).splitlines()[0]}") from exc
    return users


def roster() -> list[User]:
    try:
        return load_roster(home_dir())
    except RosterError as exc:
        st.sidebar.error(f"名册文件有误，暂时无人可编辑：{exc}")
        return []


def current_user() -> User | None:
    name = st.session_state.get(USER_KEY)
    return next((u for u in roster() if u.name == name), None) if name else None


def is_reviewer() -> bool:
    user = current_user()
    return user is not None and user.role == "reviewer"


def sidebar() -> User | None:
    """The sign-in box: pick your name from the roster."""
    users = roster()
    names = [u.name for u in users]
    if st.session_state.get(USER_KEY) not in names:
        st.session_state.pop(USER_KEY, None)
    st.sidebar.selectbox("登录（姓名）", names, index=None, key=USER_KEY, placeholder="选择你的名字")
    user = current_user()
    if user:
        st.sidebar.caption(f"当前角色：{ROLE_ZH[user.role]}" + ("（可编辑）" if user.role == "reviewer" else "（只读）"))
    else:
        st.sidebar.caption("未登录：只读。审核员登录后可修改数据。")
    return user
