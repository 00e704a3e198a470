# The full matrix: every role × every action × same tenant / other tenant, against the
# permissions DESIGN.md lists (spelled out here, independently of data.json).
package workjet.authz_test

member_actions := {"model.invoke", "model.list", "skills.read", "skills.write", "marketplace.browse", "marketplace.install"}

admin_actions := member_actions | {
	"keys.read", "keys.write", "users.read", "users.write", "routing.read", "routing.write",
	"dlp.read", "dlp.write", "limits.read", "limits.write", "usage.read", "audit.read", "skills.publish",
}

owner_actions := admin_actions | {"budget.read", "budget.write", "provider_keys.write", "roles.owner.write"}

expected := {"member": member_actions, "admin": admin_actions, "owner": owner_actions}

tenants := {"acme", "globex"}

default want_allow(_, _, _) := false

want_allow(role, action, tenant) if {
	tenant == "acme"
	action in expected[role]
}

cells[[role, action, tenant]] := decide(case(role, action, tenant)) if {
	some role, _ in expected
	some action in data.actions
	some tenant in tenants
}

# Every cell whose decision differs from the expectation; printed when the test fails.
mismatches contains [cell, got] if {
	some cell, got in cells
	got.allow != want_allow(cell[0], cell[1], cell[2])
}

test_matrix_covers_every_cell if {
	count(cells) == (count(expected) * count(data.actions)) * count(tenants)
}

test_matrix_every_role_action_tenant if {
	print("mismatches:", mismatches)
	count(mismatches) == 0
}

other_tenant_cells := {cell: got | some cell, got in cells; cell[2] == "globex"}

ungranted_cells := {cell: got | some cell, got in cells; cell[2] == "acme"; not cell[1] in expected[cell[0]]}

test_other_tenant_denials_name_the_reason if {
	count(other_tenant_cells) == count(expected) * count(data.actions)
	every _, got in other_tenant_cells {
		"resource belongs to another tenant" in got.reasons
	}
}

test_ungranted_denials_name_the_role if {
	count(ungranted_cells) > 0
	every cell, got in ungranted_cells {
		got.reasons == [concat("", ["role ", cell[0], " does not grant ", cell[1]])]
	}
}

test_allowed_cells_carry_the_grant if {
	got := decide(case("member", "model.invoke", "acme"))
	got == {"allow": true, "reasons": ["role member grants model.invoke"]}
}

test_expected_table_names_every_action if {
	owner_actions == {a | some a in data.actions}
	count(data.actions) == count({a | some a in data.actions})
}
