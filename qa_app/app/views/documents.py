from qa_app.app.documents_page import render

render()
