from qa_app.app.review_page import render

render()
