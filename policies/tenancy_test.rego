# Cross-tenant denial by the policy itself, including forged inputs, and the marketplace
# exception (published skill metadata may be read and installed by any tenant).
package workjet.authz_test

skill_input(action, role, published) := {
	"action": action,
	"principal": {"type": "api_key", "id": "key-1", "user": "bob", "role": role, "tenant": "acme"},
	"resource": {"type": "skill", "id": "sk-1", "tenant": "globex", "published": published},
	"tenant": {"id": "acme", "plan": "team"},
	"request": {"method": "GET", "path": "/admin/v1/marketplace", "ip": "127.0.0.1", "time": "2026-11-28T14:05:00Z"},
}

test_published_skill_can_be_browsed_read_and_installed_by_every_role if {
	every role in {"member", "admin", "owner"} {
		every action in {"marketplace.browse", "skills.read", "marketplace.install"} {
			decide(skill_input(action, role, true)).allow
		}
	}
}

test_published_skill_cannot_be_changed_or_published_across_tenants if {
	every action in {"skills.write", "skills.publish"} {
		got := decide(skill_input(action, "owner", true))
		got.allow == false
		"resource belongs to another tenant" in got.reasons
	}
}

test_unpublished_skill_of_another_tenant_is_denied if {
	every action in {"marketplace.browse", "skills.read", "marketplace.install"} {
		got := decide(skill_input(action, "owner", false))
		got.allow == false
		"resource belongs to another tenant" in got.reasons
	}
}

test_published_flag_must_be_boolean_true if {
	got := decide(skill_input("skills.read", "owner", "true"))
	got.allow == false
}

test_published_exception_needs_skill_type if {
	doc := json.patch(skill_input("skills.read", "owner", true), [{"op": "replace", "path": "/resource/type", "value": "key"}])
	decide(doc).allow == false
}

test_forged_request_tenant_is_denied if {
	# The principal is acme's; the input claims globex's tenant and resource.
	doc := json.patch(case("owner", "keys.write", "globex"), [{"op": "replace", "path": "/tenant/id", "value": "globex"}])
	got := decide(doc)
	got.allow == false
	"request tenant differs from the principal's tenant" in got.reasons
	"resource belongs to another tenant" in got.reasons
}

test_missing_principal_tenant_is_denied if {
	doc := json.remove(case("owner", "keys.read", "acme"), ["principal/tenant"])
	got := decide(doc)
	got.allow == false
	"principal has no tenant" in got.reasons
}

test_empty_principal_tenant_is_denied if {
	doc := json.patch(case("owner", "keys.read", "acme"), [
		{"op": "replace", "path": "/principal/tenant", "value": ""},
		{"op": "replace", "path": "/resource/tenant", "value": ""},
		{"op": "replace", "path": "/tenant/id", "value": ""},
	])
	got := decide(doc)
	got.allow == false
	"principal has no tenant" in got.reasons
}

test_missing_resource_tenant_is_denied if {
	doc := json.remove(case("owner", "keys.read", "acme"), ["resource/tenant"])
	got := decide(doc)
	got.allow == false
	"resource has no tenant" in got.reasons
}

test_missing_request_tenant_is_denied if {
	doc := json.remove(case("member", "model.invoke", "acme"), ["tenant"])
	got := decide(doc)
	got.allow == false
	"request tenant differs from the principal's tenant" in got.reasons
}
