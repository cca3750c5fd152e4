"""Entry script of the app: `budgetlens serve` runs `streamlit run qa_app/app/main.py`."""

import streamlit as st

from qa_app.app import users

st.set_page_config(page_title="budgetlens", page_icon=":material/account_balance:", layout="wide")
users.sidebar()
st.navigation([
    st.Page("views/chat.py", title="问答", icon=":material/chat:", default=True),
    st.Page("views/review.py", title="审核", icon=":material/fact_check:"),
    st.Page("views/documents.py", title="文档", icon=":material/description:"),
    st.Page("views/overview.py", title="概览", icon=":material/monitoring:"),
]).run()
