"""The citizen's pages (条例 Art. 21: every matter can be queried and evaluated online).

``home`` (guide) → ``submit`` → ``submitted`` (the query code, shown once) → ``lookup``
(code + phone) → ``matter`` (stage, due dates, answers) with ``rate`` and ``review``.
Everything works without JavaScript; htmx only boosts the small forms.

The proof of a successful lookup is kept in the session (the matter's id and a signed
``PetitionerProof`` token, not the code), so the code is typed once and never travels again;
the session key is cycled on success. Rating and review requests are the petitioner's own
acts: they pass that proof to the workflow, and a signed-in staff member is refused.
An unknown code and a wrong code (or wrong phone) get the same page, wording and status.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.middleware import client_ip
from xinfang.petitions.choices import ReviewLevel, Status
from xinfang.petitions.errors import PetitionError
from xinfang.petitions.linking import propose_candidates_after_commit
from xinfang.petitions.models import Petition
from xinfang.petitions.services import (
    PetitionerData,
    query_code_hash,
    register_petition,
)
from xinfang.petitions.workflow import (
    PetitionerProof,
    proof_from_token,
    prove_by_query_code,
    transition,
)
from xinfang.portal import progress
from xinfang.portal.forms import (
    MAX_FORM_AGE_SECONDS,
    MIN_FILL_SECONDS,
    LookupForm,
    RatingForm,
    ReviewForm,
    SubmitForm,
    make_form_token,
    read_form_token,
)
from xinfang.portal.ratelimit import LOOKUP_PER_ADDRESS_AND_CODE, LOOKUP_PER_IP, SUBMIT_PER_IP

SESSION_MATTER = "portal_matter"
SESSION_NEW_CODE = "portal_new_code"
LOOKUP_FAILED = "查询码或联系电话不正确,请核对后重试。"
LOOKUP_LIMITED = "查询过于频繁,请稍后再试。"
VERIFIED_SECONDS = 30 * 60


def _ip(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _citizen_actor(request: HttpRequest) -> Any:
    """A signed-in citizen submits as themselves; anyone else (including staff using the
    public page) submits as an anonymous online petitioner."""
    user = request.user
    return user if getattr(user, "is_citizen", False) else None


def home(request: HttpRequest) -> HttpResponse:
    """The guide: what a petition is, the legal periods, the review route."""
    return render(request, "portal/home.html", {"section": "home"})


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """Submit a petition online (网上信访)."""
    if request.method != "POST":
        form = SubmitForm(initial={"form_token": make_form_token()})
        return render(request, "portal/submit.html", {"form": form, "section": "submit"})

    ip = _ip(request)
    form = SubmitForm(request.POST, request.FILES)
    token = read_form_token(request.POST.get("form_token", ""))
    now = time.time()
    spam_error = ""
    # Count the attempt and read the window's total in one step (refused ones count too).
    if SUBMIT_PER_IP.hit(ip) > SUBMIT_PER_IP.count:
        return _submit_refused(request, form, "提交过于频繁,请一小时后再试。", status=429)
    if request.POST.get("website"):
        spam_error = "提交未成功,请刷新页面后重新填写。"
    elif token is None or now - token.rendered_at > MAX_FORM_AGE_SECONDS:
        spam_error = "页面已过期,请刷新页面后重新填写。"
    elif now - token.rendered_at < MIN_FILL_SECONDS:
        spam_error = "提交过快,请核对填写的内容后再次提交。"
    if spam_error or token is None:
        return _submit_refused(request, form, spam_error, status=400, keep_token=token)
    if not form.is_valid():
        return render(
            request, "portal/submit.html", {"form": form, "section": "submit"}, status=400
        )
    data = form.cleaned_data
    try:
        registration = register_petition(
            actor=_citizen_actor(request),
            registering_unit=data["receiving_unit"],
            channel="online",
            kind=data["kind"],
            summary=data["summary"],
            full_text=data["full_text"],
            matter_type=data["matter_type"],
            place=data["place"],
            lat=data.get("lat"),
            lon=data.get("lon"),
            accused_unit=data.get("accused_unit"),
            accused_person=data.get("accused_person", ""),
            petitioners=[
                PetitionerData(
                    name=data["name"],
                    phone=data["phone"],
                    id_number=data["id_number"],
                    address=data["address"],
                    wants_confidentiality=data["wants_confidentiality"],
                )
            ],
            idempotency_key=f"portal:{token.key}",
            sms_opt_in=data["sms_opt_in"],
            attachments=data["attachments"],
            # The same-matter search runs after commit, off the citizen's request.
            propose_matches=False,
        )
        if registration.created:
            propose_candidates_after_commit(registration.petition)
    except (PetitionError, TransitionNotAllowed) as exc:
        form.add_error(None, str(exc))
        return render(
            request, "portal/submit.html", {"form": form, "section": "submit"}, status=400
        )
    # The code goes through the session to the confirmation page, which shows it once.
    request.session[SESSION_NEW_CODE] = {
        "code": registration.query_code,
        "number": registration.petition.number,
        "pk": registration.petition.pk,
    }
    return redirect("portal:submitted")


def _submit_refused(
    request: HttpRequest,
    form: SubmitForm,
    message: str,
    *,
    status: int,
    keep_token: Any = None,
) -> HttpResponse:
    # Re-render with what the person typed; a fresh token unless theirs is still good
    # (then they need not wait the minimum fill time again).
    data = request.POST.copy()
    if keep_token is None or time.time() - keep_token.rendered_at > MAX_FORM_AGE_SECONDS:
        data["form_token"] = make_form_token()
    data["website"] = ""
    fresh = SubmitForm(data)
    return render(
        request,
        "portal/submit.html",
        {"form": fresh, "section": "submit", "refusal": message, "skip_errors": True},
        status=status,
    )


@never_cache  # the code must not stay in a browser or proxy cache
def submitted(request: HttpRequest) -> HttpResponse:
    """The confirmation: the query code, shown this once, with the advice to keep it."""
    new = request.session.pop(SESSION_NEW_CODE, None)
    petition = None
    if new:
        petition = Petition.objects.select_related("registering_unit").filter(pk=new["pk"]).first()
    return render(
        request,
        "portal/submitted.html",
        {"new": new, "petition": petition, "section": "submit"},
    )


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Code + phone → the matter. Unknown and wrong codes answer alike; both rate-limited."""
    if request.method != "POST":
        return render(request, "portal/lookup.html", {"form": LookupForm(), "section": "lookup"})
    form = LookupForm(request.POST)
    ip = _ip(request)
    if not form.is_valid():
        return render(
            request, "portal/lookup.html", {"form": form, "section": "lookup"}, status=400
        )
    attempt = f"{ip}|{query_code_hash(form.cleaned_data['code'])}"
    wait = LOOKUP_PER_ADDRESS_AND_CODE.wait(attempt)
    if LOOKUP_PER_IP.exceeded(ip) or wait:
        response = _lookup_page(request, LOOKUP_LIMITED, status=429)
        response["Retry-After"] = str(wait or LOOKUP_PER_IP.seconds)
        return response
    LOOKUP_PER_IP.hit(ip)
    proof = prove_by_query_code(form.cleaned_data["code"], form.cleaned_data["phone"])
    if proof is None:
        LOOKUP_PER_ADDRESS_AND_CODE.fail(attempt)
        return _lookup_page(request, LOOKUP_FAILED, status=200)
    LOOKUP_PER_ADDRESS_AND_CODE.reset(attempt)
    request.session.cycle_key()
    request.session[SESSION_MATTER] = {
        "pk": proof.petition_id,
        "at": int(time.time()),
        "proof": proof.token,
    }
    return redirect("portal:matter")


def _lookup_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    # A blank form: neither the code nor the phone is echoed back.
    return render(
        request,
        "portal/lookup.html",
        {"form": LookupForm(), "section": "lookup", "failure": message},
        status=status,
    )


def _petitioner_proof(request: HttpRequest, petition: Petition) -> PetitionerProof:
    """The session's proof for ``petition``. Refused to anyone signed in as staff: they may
    look a matter up, but never rate or request review in the petitioner's name."""
    user = request.user
    if user.is_authenticated and not getattr(user, "is_citizen", False):
        raise TransitionNotAllowed(STAFF_REFUSED)
    proof = proof_from_token(request.session.get(SESSION_MATTER, {}).get("proof"))
    if proof is None or proof.petition_id != petition.pk:
        raise TransitionNotAllowed("身份验证已失效,请重新输入查询码和联系电话。")
    return proof


def _petitioner_actor(request: HttpRequest) -> Any:
    user = request.user
    return user if user.is_authenticated else None


STAFF_REFUSED = "工作人员不能代信访人评价或申请复查(复核),请退出工作人员账号后由信访人本人办理。"


def _verified_matter(request: HttpRequest) -> Petition | None:
    proof = request.session.get(SESSION_MATTER)
    if not isinstance(proof, dict) or time.time() - int(proof.get("at", 0)) > VERIFIED_SECONDS:
        return None
    pk = proof.get("pk")
    if not isinstance(pk, int):
        return None
    return (
        Petition.objects.select_related("responsible_unit", "registering_unit")
        .filter(pk=pk)
        .first()
    )


@never_cache
def matter(request: HttpRequest) -> HttpResponse:
    """The petitioner's own matter, after a successful lookup in this session."""
    petition = _verified_matter(request)
    if petition is None:
        return redirect("portal:lookup")
    view = progress.describe(petition)
    return render(
        request,
        "portal/matter.html",
        {
            "p": petition,
            "view": view,
            "rating_form": RatingForm(),
            "review_form": ReviewForm(),
            "section": "lookup",
        },
    )


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """Rate the answer once: 满意 / 基本满意 / 不满意 (条例 Art. 21)."""
    petition = _verified_matter(request)
    if petition is None:
        return redirect("portal:lookup")
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择满意、基本满意或不满意。")
        return redirect("portal:matter")
    if petition.status != Status.ANSWERED or petition.return_visits.exists():
        messages.error(request, "该事项已评价过或当前不能评价,每个答复只能评价一次。")
        return redirect("portal:matter")
    try:
        proof = _petitioner_proof(request, petition)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("portal:matter")
    try:
        transition(
            petition,
            Status.EVALUATED,
            actor=_petitioner_actor(request),
            petitioner=proof,
            rating=form.cleaned_data["rating"],
            note=form.cleaned_data["comment"],
        )
    except (TransitionNotAllowed, ConcurrentChange):
        messages.error(request, "该事项已评价过或当前不能评价,每个答复只能评价一次。")
        return redirect("portal:matter")
    messages.success(request, "感谢您的评价,已记录。")
    return redirect("portal:matter")


@require_POST
def review(request: HttpRequest) -> HttpResponse:
    """Request review (复查, Art. 35) or re-review (复核, Art. 36) inside the 30-day window."""
    petition = _verified_matter(request)
    if petition is None:
        return redirect("portal:lookup")
    window = progress.review_window(petition, timezone.localdate())
    if not window.level:
        messages.error(request, "当前阶段不能申请复查或复核。")
        return redirect("portal:matter")
    if not window.open:
        messages.error(request, window.message)
        return redirect("portal:matter")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明请求理由(不超过一万字)。")
        return redirect("portal:matter")
    target = (
        Status.REVIEW_REQUESTED if window.level == ReviewLevel.REVIEW else Status.REREVIEW_REQUESTED
    )
    try:
        transition(
            petition,
            target,
            actor=_petitioner_actor(request),
            petitioner=_petitioner_proof(request, petition),
            reason=form.cleaned_data["reason"],
        )
    except (TransitionNotAllowed, ConcurrentChange) as exc:
        messages.error(request, str(exc))
        return redirect("portal:matter")
    messages.success(request, f"您的{window.label}申请已提交,复查(复核)机关应在30日内提出意见。")
    return redirect("portal:matter")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the verified matter (on a shared computer)."""
    request.session.pop(SESSION_MATTER, None)
    return redirect("portal:lookup")
