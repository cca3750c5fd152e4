from qa_app.app.overview_page import render

render()
