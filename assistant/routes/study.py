"""Study mode over HTTP (/api/study/...) and the /study page; the work is done in `assistant.study`."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..study.items import KINDS
from ..study.offer import topic_name
from ..study.service import Study
from ..validation import ID_MAX, Text, Topic, error_responses

router = APIRouter(tags=["study"])
Kind = Literal["check", "flashcard", "choice", "calculation"]
assert set(KINDS) == set(Kind.__args__)
Result = Literal["correct", "partly", "incorrect"]


def _learner(value: str) -> str:
    if not (8 <= len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)):
        raise PydanticCustomError(
            "learner_id", "must be 8 to 64 letters, digits, '-' or '_': the anonymous id the browser keeps"
        )
    return value


def _maybe_learner(value: str | None) -> str | None:
    return None if value is None else _learner(value)


LearnerId = Annotated[str, AfterValidator(_learner)]
LearnerQuery = Annotated[
    str, Query(description="The learner's anonymous id (8-64 letters, digits, - or _)."), AfterValidator(_learner)
]
ExamId = Annotated[str, Path(max_length=ID_MAX, description="The exam's id, from POST /api/study/exams.")]


async def get_study(request: Request) -> Study:
    """One Study per app, made on first use from the app's settings, conversation store and model."""
    state = request.app.state
    if getattr(state, "study", None) is None:
        state.study = Study(state.settings, state.conversations, state.assistant.embedder)
    return state.study


StudyDep = Annotated[Study, Depends(get_study)]


async def _in_question_threads(request: Request, work):
    """Run work that may use the model on the question threads, as /api/ask does."""
    limiter = getattr(request.app.state, "question_threads", None)
    return await anyio.to_thread.run_sync(work, limiter=limiter)


class PublicItem(BaseModel):
    id: str
    kind: Kind
    topic: str
    difficulty: int = Field(description="1 recall, 2 understanding, 3 applying a figure or formula.")
    prompt: str
    options: list[str] | None = Field(description="The choices of a multiple-choice item; null otherwise.")
    url: str = Field(description="The article section that teaches it, e.g. /docs/service-credits#worked-example.")


class ItemsResponse(BaseModel):
    items: list[PublicItem]


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    learner_id: LearnerId
    item_id: Annotated[str, Field(max_length=ID_MAX)]
    answer: Text = Field(max_length=2000, description="Free text, a figure, or a choice's text or number (1-4).")


class AnswerResponse(BaseModel):
    result: Result
    expected: str = Field(description="The model answer.")
    explanation: str = Field(description="Why the answer was graded so, and how the model answer follows.")
    url: str = Field(description="The section to read.")
    title: str
    section: str
    next_due: str = Field(description="When the item comes up again (YYYY-MM-DD).")
    box: int = Field(description="The item's Leitner box, 1 (new or missed) to 5.")


class TopicProgress(BaseModel):
    topic: str
    items: int
    seen: int
    due: int = Field(description="Seen items due for review today or earlier.")
    learned: int = Field(description="Items in box 3 or higher.")
    mastery: float = Field(description="0 to 1: the average box of the items seen, scaled.")
    accuracy: float | None = Field(description="Share of answers right (partly counts half).")


class ProgressResponse(BaseModel):
    learner_id: str
    today: str
    answered: int
    seen: int
    due_today: int
    learned: int
    topics: list[TopicProgress] = Field(description="Weakest first: studied topics by mastery, then new ones.")


class DeleteResponse(BaseModel):
    learner_id: str
    deleted: dict[str, int]


class ExamRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    learner_id: LearnerId
    topics: list[Topic] | None = Field(None, max_length=20, description="Topic folders; null or [] for every topic.")
    questions: int | None = Field(None, ge=1, le=100, description="Default: ASSISTANT_STUDY_EXAM_QUESTIONS (40).")
    minutes: int | None = Field(None, ge=1, le=240, description="Default: ASSISTANT_STUDY_EXAM_MINUTES (60).")


class ExamAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: Annotated[str, Field(max_length=ID_MAX)]
    answer: Text = Field(max_length=2000)


class ExamAnswersRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[ExamAnswer] = Field([], max_length=100)
    finish: bool = Field(False, description="End the exam now and grade it.")


class Score(BaseModel):
    correct: int
    partly: int
    incorrect: int
    unanswered: int
    total: int
    percent: float = Field(description="Right answers (partly counts half) as % of the questions.")


class Reread(BaseModel):
    title: str
    section: str
    url: str


class TopicScore(Score):
    topic: str
    reread: list[Reread] = Field(description="Sections behind the questions missed.")


class ExamResult(BaseModel):
    id: str
    topic: str
    prompt: str
    options: list[str] | None
    answer: str | None
    result: Literal["correct", "partly", "incorrect", "unanswered"]
    expected: str
    explanation: str
    url: str
    title: str
    section: str


class ExamReport(BaseModel):
    score: Score
    by_topic: list[TopicScore] = Field(description="Weakest first.")
    results: list[ExamResult]


class ExamResponse(BaseModel):
    id: str
    status: Literal["running", "finished"]
    topics: list[str]
    questions: int
    minutes: int
    started_at: str
    ends_at: str
    seconds_left: int
    items: list[PublicItem]
    answers: dict[str, str] = Field(description="The answers saved so far, by item id.")
    report: ExamReport | None = Field(description="After the exam: the score by topic and every answer graded.")


class Offer(BaseModel):
    topic: str | None
    label: str
    url: str


class OfferResponse(BaseModel):
    offer: Offer | None = Field(description="A quiz to offer when the question asks to be tested; else null.")


BAD = error_responses({400: "A bad value, e.g. an unknown topic", 422: "A missing or malformed field"})


@router.get("/api/study/items", response_model=ItemsResponse, responses=BAD)
def items(
    study: StudyDep,
    topic: Annotated[Topic | None, Query(description="A topic folder, or empty for all.")] = None,
    kind: Kind | None = None,
    n: Annotated[int, Query(ge=1, le=50)] = 10,
    learner_id: Annotated[
        str | None, Query(description="Order for this learner: due items first."), AfterValidator(_maybe_learner)
    ] = None,
):
    """Study items without their answers; with learner_id, those due for review come first."""
    return {"items": [i.public() for i in study.items(topic, kind, n, learner_id)]}


@router.post(
    "/api/study/answer",
    response_model=AnswerResponse,
    responses={**BAD, **error_responses({404: "Unknown item", 503: "The model is restarting"})},
)
async def answer(body: AnswerRequest, request: Request, study: StudyDep):
    """Grade one answer: correct, partly or incorrect, with the model answer, why, and its section."""
    return await _in_question_threads(request, lambda: study.answer(body.learner_id, body.item_id, body.answer))


@router.get("/api/study/progress", response_model=ProgressResponse, responses=BAD)
def progress(study: StudyDep, learner_id: LearnerQuery):
    """Mastery per topic, weakest first, and how many items are due today."""
    return study.progress(learner_id)


@router.get("/api/study/progress/export", responses=BAD)
def export(study: StudyDep, learner_id: LearnerQuery):
    """Everything stored for the learner, as a JSON file to keep."""
    return JSONResponse(
        study.export(learner_id), headers={"Content-Disposition": 'attachment; filename="study-progress.json"'}
    )


@router.delete("/api/study/progress", response_model=DeleteResponse, responses=BAD)
def delete(study: StudyDep, learner_id: LearnerQuery):
    """Delete the learner's progress, answers and exams."""
    return study.delete(learner_id)


@router.post("/api/study/exams", response_model=ExamResponse, status_code=201, responses=BAD)
def start_exam(body: ExamRequest, study: StudyDep):
    """Start a timed mock exam across the chosen topics; no feedback until it is over."""
    return study.start_exam(body.learner_id, body.topics, body.questions, body.minutes)


@router.post(
    "/api/study/exams/{exam_id}/answers",
    response_model=ExamResponse,
    responses={**BAD, **error_responses({404: "Unknown exam", 409: "The exam is over"})},
)
async def exam_answers(exam_id: ExamId, body: ExamAnswersRequest, request: Request, study: StudyDep):
    """Save answers to a running exam (no feedback); `finish` ends and grades it."""
    answers = {a.item_id: a.answer for a in body.answers}
    return await _in_question_threads(request, lambda: study.answer_exam(exam_id, answers, body.finish))


@router.get("/api/study/exams/{exam_id}", response_model=ExamResponse, responses=error_responses({404: "Unknown exam"}))
async def exam(exam_id: ExamId, request: Request, study: StudyDep):
    """The exam while it runs; after it ends (finished or out of time), its report."""
    return await _in_question_threads(request, lambda: study.exam(exam_id))


@router.get("/api/study/offer", response_model=OfferResponse, responses=BAD)
def offer(study: StudyDep, q: Annotated[Text, Query(max_length=2000, description="A chat question.")]):
    """A quiz to offer in the chat when a question asks to be tested ("quiz me on SLAs")."""
    return {"offer": study.offer(q)}


@router.get("/study", response_class=HTMLResponse, include_in_schema=False)
def study_page(request: Request, study: StudyDep):
    """Quizzes, flashcards, mock exams and progress; the page speaks only to the JSON API."""
    topics = [(t, topic_name(t)) for t in study.topics()]
    return request.app.state.templates.TemplateResponse(request, "study.html", {"page": "study", "topics": topics})
