"""Generic body rules, on small synthetic pages: split bodies, recurring rows, duplicated blocks."""

from __future__ import annotations

from newswatch.extract import body as body_module
from newswatch.extract import extract_article
from newswatch.extract.furniture import clean_paragraphs

URL = "https://news.example.com/2024/05/02/story.html"


def _sentence(n: int, topic: str = "the council") -> str:
    return (f"Paragraph {n} says that {topic} met on Tuesday to discuss the budget, the new bridge and the "
            f"schools, and that a vote is expected next month after a public hearing number {n}.")


def _page(body: str) -> str:
    return (f"<html lang='en'><head><title>Story</title><meta property='og:type' content='article'></head>"
            f"<body><article><h1>Story</h1>{body}</article></body></html>")


def _body_text(paragraphs: str) -> str:
    """The extracted text of a page whose article body holds ``paragraphs``."""
    return extract_article(_page(f"<div class='article-body'>{paragraphs}</div>"), URL).text


def test_a_body_split_into_same_class_chunks_is_extracted_whole():
    first = "".join(f"<p>{_sentence(n)}</p>" for n in range(3))
    second = "".join(f"<p>{_sentence(n, 'the mayor')}</p>" for n in range(3, 6))
    body = (f"<div class='chunks'><div class='grid'><div class='body article__body'>{first}</div></div>"
            f"<div class='ad'>Advertisement</div>"
            f"<div class='grid'><div class='body article__body'>{second}</div></div></div>")
    text = extract_article(_page(body), URL).text
    assert "Paragraph 0 " in text and "Paragraph 5 " in text


def _clean(lines: list[str]) -> list[str]:
    return clean_paragraphs(lines, title=None, lead=None, vietnamese=False).paragraphs


def test_rows_that_recur_in_a_schedule_are_kept():
    meal = "Chicken salad (1 cup lettuce, ½ cup tomatoes, 4 oz. cooked chicken, 1 tsp. olive oil, vinegar)"
    day = ["Meal 1", "Eat within an hour", meal, "Meal 2", "Eat in the afternoon"]
    lines = ["Day one", *day, "Day two", *day]
    assert _clean(lines).count(meal) == 2


def test_a_duplicated_block_of_paragraphs_is_dropped():
    block = [_sentence(n) for n in range(4)]
    lines = [*block, "Sign up", *block]
    assert _clean(lines) == [*block, "Sign up"]


def test_an_embedded_tweet_is_part_of_the_article():
    tweet = ("<div class='social-media-embed'><blockquote class='twitter-tweet'><p>The bridge opens to cyclists "
             "on Monday morning, a week early</p>— City Hall (@cityhall) May 2, 2024</blockquote></div>")
    body = "".join(f"<p>{_sentence(n)}</p>" for n in range(2)) + tweet + f"<p>{_sentence(2)}</p>"
    text = _body_text(body)
    assert "The bridge opens to cyclists on Monday morning" in text


def test_teaser_boxes_headed_in_english_are_removed_and_the_body_goes_on():
    teaser = ("<p><strong>DON'T MISS</strong><br><a href='/news/1/one-other-story-about-the-plague-today'>One other "
              "story about the plague today</a><br><a href='/news/2/another-story-about-the-plague'>Another story "
              "about the plague</a></p>")
    body = f"<p>{_sentence(0)}</p>{teaser}<p>{_sentence(1)}</p>"
    text = _body_text(body)
    assert "DON'T MISS" not in text and "One other story" not in text
    assert "Paragraph 1 " in text


def test_a_hover_card_is_removed_but_the_name_it_belongs_to_stays():
    card = ("<span class='rollover-people'><a href='/people/jane-roe'>Jane Roe</a><span class='rollover-people-block'>"
            "<span class='rollover-block'><a href='/people/jane-roe'>Jane Roe</a> <a href='/a/1'>Roe backs the new "
            "bridge plan</a> <a href='/a/2'>Council delays the vote</a></span></span></span>")
    body = f"<p>Council member {card} said the vote would wait. {_sentence(0)}</p><p>{_sentence(1)}</p>"
    text = _body_text(body)
    assert "Council member Jane Roe said the vote would wait." in text
    assert "Roe backs the new bridge plan" not in text


def test_trafilatura_runs_in_full_mode_only_when_the_page_has_little_paragraph_markup(monkeypatch):
    modes: list[bool] = []
    real = body_module._trafilatura_text

    def recording(tree, url, *, fast):
        modes.append(fast)
        return real(tree, url, fast=fast)

    monkeypatch.setattr(body_module, "_trafilatura_text", recording)
    _body_text("".join(f"<p>{_sentence(n)}</p>" for n in range(4)))
    assert modes == [True]
    modes.clear()
    _body_text("".join(f"<div>{_sentence(n)}</div>" for n in range(4)))
    assert modes == [True, False]


def test_an_interview_question_put_to_each_guest_is_kept():
    question = "Which cuisine do you like yourself, and are there dishes or products that you do not like at all?"
    lines = [line for n in range(3) for line in (f"Chef number {n}", question, _sentence(n, f"chef {n}"))]
    assert _clean(lines).count(question) == 3


def test_print_only_blocks_are_removed():
    notice = ("<div class='print-header'><p>This copy is for your personal, non-commercial use only. To order "
              "presentation-ready copies for distribution, use the Order Reprints tool.</p></div>")
    text = _body_text(f"{notice}<p>{_sentence(0)}</p><p>{_sentence(1)}</p>")
    assert "non-commercial use" not in text and "Paragraph 1 " in text


def test_a_list_of_other_stories_is_removed_even_as_list_items():
    titles = {"nasa europa mission could potentially spot signs of alien life", "photos: europa, mysterious moon"}
    lines = [_sentence(0), "- NASA Europa Mission Could Potentially Spot Signs of Alien Life",
             "- Photos: Europa, Mysterious Moon"]
    assert clean_paragraphs(lines, title=None, lead=None, vietnamese=False, teaser_titles=titles).paragraphs == [
        _sentence(0)]


def test_newsletter_and_social_calls_to_action_are_removed():
    lines = [_sentence(0), "Click here to subscribe to The Paradigm Newsletter",
             "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "Like this story? Share it with a friend!",
             "Follow the money, the prosecutor told the jury, and you will find who paid for the bridge."]
    assert _clean(lines) == [lines[0], lines[-1]]
