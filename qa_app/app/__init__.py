"""The Streamlit app (`budgetlens serve`): 问答 · 审核 · 文档 · 概览.

``main.py`` is the entry script; ``views/`` holds one thin script per page, each calling the
``render()`` of its page module here; shared helpers: ``state`` (store and cached reads), ``users``
(roster and sign-in), ``safe`` (escaping), ``frames`` (tables as frames, downloads), ``source``
(page images and source lines), ``worker`` (the one background ingest writer), ``figures`` (overview).
"""
