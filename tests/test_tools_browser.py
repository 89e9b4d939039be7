"""The /tools calculators in headless Chromium: the recovery and pricing forms post their figures and
show the computed result, its formula and source; a bad figure shows the API's message."""

from __future__ import annotations

import pytest

from .support import ARTIFACTS, require_browser
from .test_chat_browser import PHONE, base_url, new_page  # noqa: F401 (base_url: the module's server)

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import expect  # noqa: E402


def submit(page, section: str):
    """Submit the form in `section` (its id) and return its result area once it has an answer."""
    calc = page.locator(f"section#{section}")
    calc.get_by_role("button").click()
    result = calc.locator(".calc-result")
    expect(result).not_to_be_empty()
    expect(result).not_to_have_attribute("aria-busy", "true")
    return result


def test_capped_tm_and_tiered_prices_are_computed_from_the_filled_in_forms(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/tools")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calculators")
    tm = page.locator("section#tm-cap")
    tm.get_by_label("Cap (not-to-exceed amount)").fill("84,000")
    tm.get_by_label("People").fill("3")
    tm.get_by_label("Rate", exact=True).fill("700")
    tm.get_by_label("Days (or hours) each person worked").fill("46")
    result = submit(page, "tm-cap")
    expect(result).to_contain_text("3 × 46 days × 700 = 96,600")
    expect(result).to_contain_text("Under a hard cap you pay 84,000")
    source = result.get_by_role("link")
    expect(source).to_have_attribute("href", "/docs/capped-t-and-m-and-hybrids#worked-example-capped-tm")

    tiered = page.locator("section#tiered-pricing")
    for n, (up_to, price) in enumerate([("5000", "12"), ("10000", "10"), ("", "8"), ("", "")], start=1):
        band = tiered.get_by_role("group", name=f"Band {n}")
        band.get_by_label("Up to (units)").fill(up_to)
        band.get_by_label("Price per unit").fill(price)
    tiered.get_by_label("Volume (units)").fill("13200")
    tiered.get_by_label("Unit, optional").fill("ticket")
    result = submit(page, "tiered-pricing")
    expect(result.locator(".result-figures")).to_contain_text("= 135,600")
    expect(result.locator(".result-figures")).to_contain_text("13,200 tickets × 8 = 105,600")  # all-units
    expect(result.locator("table")).to_be_visible()
    tiered.get_by_label("Scheme").select_option("all_units")
    lead = submit(page, "tiered-pricing").locator(".result-figures p").first
    expect(lead).to_contain_text("On all-units (volume) tiers, the whole volume at the price of its band")
    page.screenshot(path=str(ARTIFACTS / "tools-pricing.png"), full_page=True)
    assert not page.errors
    page.context.close()


def test_recovery_unit_pricing_indexation_and_business_case_defaults(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/tools")
    result = submit(page, "recovery")  # RTO 240, RPO 15, failure 10:40, copy 10:35, restored 13:55
    expect(result).to_contain_text("Downtime = 13:55 − 10:40 = 3 hours 15 minutes")
    expect(result).to_contain_text("the RPO is met")
    expect(submit(page, "unit-pricing")).to_contain_text("Per ticket is cheaper by 10,600")
    expect(submit(page, "indexation")).to_contain_text("from 2,500,000 to 2,629,075")  # 4.6 capped at 3, then 2.1
    expect(submit(page, "business-case")).to_contain_text("= 1,900,000 a year")  # one-off 1,200,000 pays back
    # An optional yes/no left unticked lets the API read 22:30 → 01:10 as crossing midnight.
    recovery = page.locator("section#recovery")
    recovery.get_by_label("Failure time").fill("22:30")
    recovery.get_by_label("Last recoverable copy").fill("22:20")
    recovery.get_by_label("Service restored").fill("01:10")
    expect(submit(page, "recovery")).to_contain_text("2 hours 40 minutes")
    assert not page.errors
    page.context.close()


def test_a_blended_rate_is_computed_from_the_team_rows(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/tools")
    expect(submit(page, "blended-rate")).to_contain_text("4,000 ÷ 8 = 500 per person-day")  # the article's team
    third = page.locator("section#blended-rate").get_by_role("group", name="Role 3")
    third.get_by_label("Role", exact=True).fill("offshore")
    third.get_by_label("People").fill("4")
    third.get_by_label("Rate each").fill("300")
    page.locator("section#blended-rate").get_by_label("Rates are").select_option("hour")
    result = submit(page, "blended-rate")
    expect(result).to_contain_text("= 5,200 per hour for 12 people")  # 2 × 800 + 6 × 400 + 4 × 300
    expect(result).to_contain_text("≈ 433.33 per person-hour")
    expect(result.locator("table")).to_be_visible()
    expect(result.get_by_role("link")).to_have_attribute(
        "href", "/docs/time-and-materials#rate-cards-and-blended-rates"
    )
    assert not page.errors
    page.context.close()


def test_bad_figures_show_the_api_message_on_a_phone(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/tools", **PHONE)
    page.locator("section#tm-cap").get_by_label("Cap (not-to-exceed amount)").fill("lots")
    error = submit(page, "tm-cap").get_by_role("alert")
    expect(error).to_contain_text("cap: Input should be a valid number")  # 422
    band = page.locator("section#tiered-pricing").get_by_role("group", name="Band 2")
    band.get_by_label("Up to (units)").fill("4000")
    error = submit(page, "tiered-pricing").get_by_role("alert")
    expect(error).to_contain_text("must be above the band before it")  # 400
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.screenshot(path=str(ARTIFACTS / "tools-error-phone.png"), full_page=True)
    assert not page.errors
    page.context.close()
