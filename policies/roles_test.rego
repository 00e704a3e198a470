# data.roles: owner ⊃ admin ⊃ member (strictly), every grant is a known action, and inputs
# without a usable role or action are denied.
package workjet.authz_test

role_actions(role) := {a | some r in graph.reachable(data.workjet.authz.role_graph, {role}); some a in data.roles[r].grants}

test_roles_are_strictly_nested if {
	member := role_actions("member")
	admin := role_actions("admin")
	owner := role_actions("owner")
	count(member - admin) == 0
	count(admin - owner) == 0
	count(admin - member) > 0
	count(owner - admin) > 0
}

test_every_grant_is_a_known_action if {
	every _, role in data.roles {
		every action in role.grants {
			action in data.actions
		}
	}
}

test_unknown_role_is_denied if {
	got := decide(case("superuser", "model.invoke", "acme"))
	got.allow == false
	"unknown role superuser" in got.reasons
}

test_unknown_action_is_denied_for_owner if {
	got := decide(case("owner", "model.invoke", "acme"))
	got.allow
	doc := json.patch(case("owner", "model.invoke", "acme"), [{"op": "replace", "path": "/action", "value": "model.delete"}])
	denied := decide(doc)
	denied.allow == false
	"unknown action model.delete" in denied.reasons
}

test_non_string_role_is_denied if {
	doc := json.patch(case("owner", "keys.read", "acme"), [{"op": "replace", "path": "/principal/role", "value": ["owner"]}])
	got := decide(doc)
	got.allow == false
	"unknown role <missing>" in got.reasons
}

test_missing_action_is_denied if {
	doc := json.remove(case("owner", "keys.read", "acme"), ["action"])
	got := decide(doc)
	got.allow == false
	"unknown action <missing>" in got.reasons
}

test_empty_input_is_denied if {
	got := decide({})
	got.allow == false
	count(got.reasons) > 0
}
