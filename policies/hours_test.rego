# Worked example 1: members may not use the `smart` tier outside 08:00–20:00 UTC
# (enabled here with `data.business_hours.enabled`; it ships disabled).
package workjet.authz_test

smart := {"type": "tier", "id": "smart", "tags": []}

hours_on := object.union(data.business_hours, {"enabled": true})

member_smart_at(time) := d if {
	d := decide(model_input("member", "team", smart, time)) with data.business_hours as hours_on
}

test_member_may_use_smart_during_business_hours if {
	every time in {"2026-11-28T08:00:00Z", "2026-11-28T14:05:00Z", "2026-11-28T19:59:59.999Z"} {
		member_smart_at(time).allow
	}
}

test_member_may_not_use_smart_outside_business_hours if {
	every time in {"2026-11-28T07:59:59Z", "2026-11-28T20:00:00Z", "2026-11-28T23:30:00.123Z", "2026-11-29T00:00:00Z"} {
		got := member_smart_at(time)
		got == {"allow": false, "reasons": ["tier smart is only available to members between 8:00 and 20:00 UTC"]}
	}
}

test_business_hours_need_a_utc_time if {
	every time in {"2026-11-28T14:05:00+02:00", "yesterday", "", "2026-11-28 14:05:00Z"} {
		member_smart_at(time).allow == false
	}
	doc := json.remove(model_input("member", "team", smart, "x"), ["request/time"])
	got := decide(doc) with data.business_hours as hours_on
	got.allow == false
}

test_admin_may_use_smart_at_night if {
	got := decide(model_input("admin", "team", smart, "2026-11-28T23:00:00Z")) with data.business_hours as hours_on
	got.allow
}

test_member_may_use_other_tiers_at_night if {
	got := decide(model_input("member", "team", {"type": "tier", "id": "fast"}, "2026-11-28T23:00:00Z")) with data.business_hours as hours_on
	got.allow
}

test_business_hours_ship_disabled if {
	decide(model_input("member", "team", smart, "2026-11-28T23:00:00Z")).allow
}
