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

import hmac
import time
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.core.errors import ConcurrentChange, PersonalDataError, TransitionNotAllowed
from xinfang.core.middleware import client_ip
from xinfang.core.personal_data import digest_for
from xinfang.org.access import roles_for
from xinfang.org.guards import require_roles
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
from xinfang.portal import mine, progress
from xinfang.portal.errors import PortalInvalid
from xinfang.portal.forms import (
    MAX_FORM_AGE_SECONDS,
    MIN_FILL_SECONDS,
    CodeReplaceForm,
    LookupForm,
    PhoneCodeForm,
    PublicTitleForm,
    RatingForm,
    ReviewForm,
    SubmitForm,
    make_form_token,
    read_form_token,
)
from xinfang.portal.models import OfficeProfile, PublicTitle
from xinfang.portal.open311.feed import service_description
from xinfang.portal.ratelimit import LOOKUP_PER_ADDRESS_AND_CODE, LOOKUP_PER_IP, SUBMIT_PER_IP
from xinfang.portal.services import (
    confirm_phone,
    phone_verified,
    replace_query_code,
    send_phone_code,
    set_public_title,
    titled_matter,
)
from xinfang.portal.services import (
    my_matters as my_matters_of,
)

SESSION_MATTER = "portal_matter"
SESSION_NEW_CODE = "portal_new_code"
LOOKUP_FAILED = "查询码或联系电话不正确，请核对后重试。"
LOOKUP_LIMITED = "查询过于频繁，请稍后再试。"
VERIFIED_SECONDS = 30 * 60


def _ip(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _citizen_actor(request: HttpRequest) -> Any:
    """A signed-in citizen submits as themselves; anyone else (including staff using the
    public page) submits as an anonymous online petitioner."""
    user = request.user
    return user if getattr(user, "is_citizen", False) else None


def home(request: HttpRequest) -> HttpResponse:
    """The guide: what a petition is, the legal periods, the review route; and each petition
    office's address, complaint phone, reception times and places and the leader-reception
    schedules it links to (条例 Art. 18)."""
    offices = (
        OfficeProfile.objects.filter(unit__is_active=True)
        .select_related("unit")
        .prefetch_related("schedule_units")
    )
    return render(request, "portal/home.html", {"section": "home", "offices": offices})


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
        return _submit_refused(request, form, "提交过于频繁，请一小时后再试。", status=429)
    if request.POST.get("website"):
        spam_error = "提交未成功，请刷新页面后重新填写。"
    elif token is None or now - token.rendered_at > MAX_FORM_AGE_SECONDS:
        spam_error = "页面已过期，请刷新页面后重新填写。"
    elif now - token.rendered_at < MIN_FILL_SECONDS:
        spam_error = "提交过快，请核对填写的内容后再次提交。"
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
        raise TransitionNotAllowed("身份验证已失效，请重新输入查询码和联系电话。")
    return proof


def _petitioner_actor(request: HttpRequest) -> Any:
    user = request.user
    return user if user.is_authenticated else None


STAFF_REFUSED = "工作人员不能代信访人评价或申请复查（复核），请退出工作人员账号后由信访人本人办理。"


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
        messages.error(request, "该事项已评价过或当前不能评价，每个答复只能评价一次。")
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
        messages.error(request, "该事项已评价过或当前不能评价，每个答复只能评价一次。")
        return redirect("portal:matter")
    messages.success(request, "感谢您的评价，已记录。")
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
        messages.error(request, "请写明请求理由（不超过一万字）。")
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
    messages.success(request, f"您的{window.label}申请已提交，复查（复核）机关应在30日内提出意见。")
    return redirect("portal:matter")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the verified matter (on a shared computer)."""
    request.session.pop(SESSION_MATTER, None)
    return redirect("portal:lookup")


# ---------------------------------------------------------------------------------------
# A lost query code


@require_http_methods(["GET", "POST"])
def code_replace(request: HttpRequest) -> HttpResponse:
    """A lost query code: matter number + contact phone → a new code by SMS to that phone.

    Whether or not the two match, the page says the same (no oracle for matter numbers or
    phones), and attempts count against the lookup limits.
    """
    if request.method != "POST":
        return render(
            request, "portal/code_replace.html", {"form": CodeReplaceForm(), "section": "lookup"}
        )
    form = CodeReplaceForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "portal/code_replace.html",
            {"form": form, "section": "lookup"},
            status=400,
        )
    ip = _ip(request)
    if LOOKUP_PER_IP.hit(ip) > LOOKUP_PER_IP.count:
        return render(
            request,
            "portal/code_replace.html",
            {"form": CodeReplaceForm(), "section": "lookup", "failure": LOOKUP_LIMITED},
            status=429,
        )
    petition = _matter_by_number_and_phone(form.cleaned_data["number"], form.cleaned_data["phone"])
    if petition is not None:
        replace_query_code(petition, actor=_petitioner_actor(request))
    return render(request, "portal/code_replace.html", {"sent": True, "section": "lookup"})


def _matter_by_number_and_phone(number: str, phone: str) -> Petition | None:
    try:
        digest = digest_for("phone", phone)
    except PersonalDataError:
        return None
    petition = Petition.objects.filter(number=number.strip().upper()).first()
    if petition is None or not petition.contact_phone_digest:
        return None
    if not hmac.compare_digest(petition.contact_phone_digest, digest):
        return None
    return petition


# ---------------------------------------------------------------------------------------
# My matters (a signed-in citizen with a verified phone)


def _citizen(request: HttpRequest) -> Any:
    user = request.user
    return user if getattr(user, "is_citizen", False) else None


@never_cache
def my_matters(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's matters (by the verified phone's digest), each with its
    documents and the reads of their personal data; or the phone verification first."""
    user = _citizen(request)
    if user is None:
        return render(request, "portal/mine.html", {"section": "mine", "citizen": False})
    verified = phone_verified(user)
    return render(
        request,
        "portal/mine.html",
        {
            "section": "mine",
            "citizen": True,
            "verified": verified,
            "phone": user.phone_masked,
            "cards": mine.cards(my_matters_of(user)) if verified else [],
            "form": PhoneCodeForm(),
        },
    )


@require_POST
def phone_code_send(request: HttpRequest) -> HttpResponse:
    """Send the verification code to the signed-in citizen's phone."""
    user = _citizen(request)
    if user is None:
        return redirect("portal:my_matters")
    try:
        send_phone_code(user)
    except PortalInvalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"验证码已发送至{user.phone_masked}。")
    return redirect("portal:my_matters")


@require_POST
def phone_code_confirm(request: HttpRequest) -> HttpResponse:
    """Check the verification code the citizen typed."""
    user = _citizen(request)
    if user is None:
        return redirect("portal:my_matters")
    form = PhoneCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请输入6位数字验证码。")
        return redirect("portal:my_matters")
    try:
        confirm_phone(user, form.cleaned_data["code"])
    except PortalInvalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "手机号码已验证。")
    return redirect("portal:my_matters")


# ---------------------------------------------------------------------------------------
# The public title of a matter (staff)

TITLE_ROLES = tuple(sorted(roles_for("handle") | roles_for("register")))


def _titled_matter(request: HttpRequest, pk: int) -> Petition:
    found = titled_matter(request.user, pk)
    if found is None:
        raise Http404
    return found


@require_roles(*TITLE_ROLES)
@require_http_methods(["GET", "POST"])
def public_title_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The title the matter shows in the public Open311 feed (handling or registering unit)."""
    petition = _titled_matter(request, pk)
    existing = PublicTitle.objects.filter(petition=petition).first()
    form = PublicTitleForm(
        request.POST or None, initial={"title": existing.title if existing else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_public_title(petition, actor=request.user, title=form.cleaned_data["title"])
        except PortalInvalid as exc:
            form.add_error("title", str(exc))
        else:
            messages.success(request, "公开标题已保存。")
            return redirect("portal:public_title_edit", petition.pk)
    return render(
        request,
        "portal/public_title.html",
        {"p": petition, "form": form, "generic": _generic_description(petition)},
    )


def _generic_description(petition: Petition) -> str:
    mt = petition.matter_type
    return service_description(mt) if mt is not None else ""
