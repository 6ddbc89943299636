"""URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinfang.api import api
from xinfang.org import inbox as org_inbox
from xinfang.org import views as org_views
from xinfang.shell import views as shell_views

shell_patterns = (
    [
        path("audit/", shell_views.audit_list, name="audit_list"),
        path("deadline/", shell_views.deadline_calculator, name="deadline_calculator"),
    ],
    "shell",
)
org_patterns = (
    [
        path("units/", org_views.unit_list, name="unit_list"),
        path("inbox/", org_inbox.inbox, name="inbox"),
        path("inbox/read/", org_inbox.inbox_read, name="inbox_read"),
    ],
    "org",
)

# issue 10: a database outage raised outside a view answers 503, not 500.
handler500 = "xinfang.core.outage.server_error"

urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("login/code/", org_views.login_code, name="login_code"),
    path("logout/", org_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", org_views.two_factor, name="two_factor"),
    path("account/activate/<str:token>/", org_views.activate_account, name="activate_account"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("dashboard/", org_views.dashboard, name="dashboard"),
    path("core/", include(shell_patterns)),
    path("org/", include(org_patterns)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("petitions/", include("xinfang.petitions.urls")),
    path("ledgers/", include("xinfang.ledgers.urls")),
    path("grids/", include("xinfang.grids.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("open311/v2/", include("xinfang.portal.open311.urls")),  # portal app: Open311
    path("supervision/", include("xinfang.supervision.urls")),
    path("documents/", include("xinfang.documents.urls")),
    path("trips/", include("xinfang.trips.urls")),
    path("statistics/", include("xinfang.statistics.urls")),
    path("assessment/", include("xinfang.assessment.urls")),
]
