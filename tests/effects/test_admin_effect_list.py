"""The effect list in admin: its columns, and ordering it (drag and drop or up/down buttons) as the gallery shows."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from effects.models import Effect
from effects.ordering import effects_reorder
from tests.support.factories import EffectFactory, UserFactory, staff_force_login, totp_activate

pytestmark = pytest.mark.django_db

UPDATE_URL = "admin:effects_effect_sortable_update"


def _reorder(client, items):
    return client.post(reverse(UPDATE_URL), json.dumps({"updatedItems": items}), content_type="application/json")


def _api_order(client) -> list[str]:
    return [effect["slug"] for effect in client.get("/api/effects").json()["data"]]


def _effects(*slugs):
    return [EffectFactory(name=slug.title(), slug=slug, position=(n + 1) * 10) for n, slug in enumerate(slugs)]


def test_effect_list_shows_order_preview_effect_category_credits_and_active_columns(staff_client):
    EffectFactory(name="Oil Paint", slug="oil-paint", model_id="local:sepia")

    html = staff_client.get(reverse("admin:effects_effect_changelist")).content.decode()

    head = html.split('id="result_list"')[1].split("</thead>")[0]
    columns = re.findall(r'<th scope="col"\s+class="([^"]+)"', head)
    assert [
        next(c for c in classes.split() if c.endswith("-column") or c.startswith("column-")) for classes in columns
    ] == [
        "action-checkbox-column",
        "column-_reorder_",
        "column-preview_thumbnail",
        "column-effect_name",
        "column-category",
        "column-credits",
        "column-is_active",
    ]
    assert '<span class="pm-name" title="Oil Paint">Oil Paint</span>' in html
    assert '<span class="pm-slug" title="oil-paint">oil-paint</span>' in html
    assert "local:sepia" not in html.split('id="result_list"')[1]  # the engine is on the change form


def test_effect_list_loads_sortable2_and_its_config_as_data_not_inline_code(staff_client):
    html = staff_client.get(reverse("admin:effects_effect_changelist")).content.decode()

    assert '<script type="application/json" id="admin_sortable2_config">' in html
    assert "adminsortable2/js/adminsortable2" in html
    assert "js/admin-effect-order.js" in html
    inline = [s for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) if "application/json" not in s]
    assert inline == []


def test_each_row_has_a_drag_handle_with_a_distinct_order_even_where_positions_tie(staff_client):
    first = EffectFactory(name="Alpha", position=0)
    second = EffectFactory(name="Beta", position=0)

    html = staff_client.get(reverse("admin:effects_effect_changelist")).content.decode()

    orders = dict(re.findall(r'<div class="drag handle" pk="(\d+)" order="(\d+)"', html))
    assert orders == {str(first.pk): "1", str(second.pk): "2"}


def test_a_list_sorted_by_another_column_offers_no_moves(staff_client):
    EffectFactory(name="Alpha")

    html = staff_client.get(reverse("admin:effects_effect_changelist") + "?o=4").content.decode()

    assert "pm-move" not in html and 'class="drag handle"' not in html


def test_a_drag_saves_the_new_order_and_the_next_gallery_request_shows_it(staff_client):
    sepia, mono, poster = _effects("sepia", "mono", "poster")
    assert _api_order(staff_client) == ["sepia", "mono", "poster"]

    # sortable2 after dragging "poster" to the top: the moved rows, in their new order.
    response = _reorder(staff_client, [[poster.pk, 1], [sepia.pk, 2], [mono.pk, 3]])

    assert response.status_code == 200
    assert _api_order(staff_client) == ["poster", "sepia", "mono"]
    assert list(Effect.objects.order_by("position").values_list("slug", "position")) == [
        ("poster", 10),
        ("sepia", 20),
        ("mono", 30),
    ]


def test_the_gallery_page_shows_a_reorder_on_its_next_request(staff_client):
    sepia, mono = _effects("sepia", "mono")
    before = staff_client.get(reverse("home")).content.decode()
    assert before.index("Sepia") < before.index("Mono")

    _reorder(staff_client, [[mono.pk, 1], [sepia.pk, 2]])

    after = staff_client.get(reverse("home")).content.decode()
    assert after.index("Mono") < after.index("Sepia")


def test_moving_one_effect_up_swaps_it_with_its_neighbour_only(staff_client):
    _a, b, c, _d = _effects("a", "b", "c", "d")

    # The "move up" button on c: c takes b's place, b takes c's.
    _reorder(staff_client, [[c.pk, 2], [b.pk, 3]])

    assert list(Effect.objects.order_by("position").values_list("slug", flat=True)) == ["a", "c", "b", "d"]


def test_reordering_a_filtered_list_keeps_the_hidden_effects_in_their_places():
    a, _hidden, _b, c = _effects("a", "hidden", "b", "c")

    effects_reorder(ordered_ids=[c.pk, a.pk])  # the list showed a and c only, and c was dragged above a

    assert list(Effect.objects.order_by("position").values_list("slug", flat=True)) == ["c", "hidden", "b", "a"]


def test_reorder_refuses_an_unknown_effect_and_a_malformed_body_without_changing_anything(staff_client):
    _a, b = _effects("a", "b")

    unknown = _reorder(staff_client, [[b.pk, 1], [999999, 2]])
    malformed = staff_client.post(reverse(UPDATE_URL), "not json", content_type="application/json")

    assert unknown.status_code == 404 and "no longer exist" in unknown.json()["error"]
    assert malformed.status_code == 400 and "Traceback" not in malformed.content.decode()
    assert list(Effect.objects.order_by("position").values_list("slug", flat=True)) == ["a", "b"]


def test_reorder_needs_the_change_permission_and_a_post():
    a, b = _effects("a", "b")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_effect"))
    totp_activate(user=viewer)
    client = Client()
    staff_force_login(client, viewer)

    refused = _reorder(client, [[b.pk, 1], [a.pk, 2]])
    get = client.get(reverse(UPDATE_URL))

    assert refused.status_code == 403
    assert get.status_code == 405
    assert list(Effect.objects.order_by("position").values_list("slug", flat=True)) == ["a", "b"]


def test_reorder_needs_the_csrf_token():
    a, b = _effects("a", "b")
    staff = UserFactory(is_staff=True, is_superuser=True)
    totp_activate(user=staff)
    client = Client(enforce_csrf_checks=True)
    staff_force_login(client, staff)

    response = _reorder(client, [[b.pk, 1], [a.pk, 2]])

    assert response.status_code == 403
    assert list(Effect.objects.order_by("position").values_list("slug", flat=True)) == ["a", "b"]


def test_the_change_form_no_longer_edits_the_position(staff_client):
    effect = EffectFactory()

    html = staff_client.get(reverse("admin:effects_effect_change", args=[effect.pk])).content.decode()

    assert 'name="position"' not in html


def test_the_list_actions_still_work_on_the_ranked_list(staff_client):
    keep, gone = _effects("keep", "gone")
    url = reverse("admin:effects_effect_changelist")

    staff_client.post(url, {"action": "deactivate", "_selected_action": [keep.pk]})
    staff_client.post(url, {"action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"})

    assert list(Effect.objects.values_list("slug", "is_active")) == [("keep", False)]
