# Plan rules: direct provider/model only on enterprise; free plan only on tiers tagged cheap.
package workjet.authz_test

direct := {"type": "model", "id": "openai/gpt-4o", "provider": "openai", "model": "gpt-4o"}

noon := "2026-11-28T12:00:00Z"

test_direct_model_allowed_on_enterprise if {
	decide(model_input("member", "enterprise", direct, noon)).allow
}

test_direct_model_denied_on_team_and_free if {
	every plan in {"team", "free", "unknown-plan"} {
		got := decide(model_input("owner", plan, direct, noon))
		got.allow == false
		concat("", ["plan ", plan, " does not allow direct provider/model access"]) in got.reasons
	}
}

test_direct_model_listing_follows_the_plan if {
	doc := json.patch(model_input("member", "team", direct, noon), [{"op": "replace", "path": "/action", "value": "model.list"}])
	decide(doc).allow == false
}

# Worked example 2: a tenant on plan `free` may only use tiers tagged `cheap`.
test_free_plan_may_use_cheap_tier if {
	decide(model_input("member", "free", {"type": "tier", "id": "fast", "tags": ["cheap"]}, noon)).allow
}

test_free_plan_may_not_use_untagged_tier if {
	got := decide(model_input("owner", "free", {"type": "tier", "id": "smart", "tags": ["premium"]}, noon))
	got == {"allow": false, "reasons": ["plan free may only use tiers tagged cheap"]}
}

test_free_plan_may_not_use_tier_without_tags if {
	decide(model_input("owner", "free", {"type": "tier", "id": "smart"}, noon)).allow == false
}

test_team_plan_may_use_untagged_tier if {
	decide(model_input("member", "team", {"type": "tier", "id": "smart"}, noon)).allow
}

test_model_list_of_whole_catalog_is_allowed if {
	doc := json.patch(model_input("member", "free", {"type": "models", "id": "acme"}, noon), [{"op": "replace", "path": "/action", "value": "model.list"}])
	decide(doc).allow
}

test_model_action_on_other_resource_type_is_denied if {
	got := decide(model_input("owner", "team", {"type": "skill", "id": "sk-1"}, noon))
	got.allow == false
	"model actions need a tier or model resource" in got.reasons
}
