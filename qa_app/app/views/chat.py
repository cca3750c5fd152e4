from qa_app.app.chat_page import render

render()
