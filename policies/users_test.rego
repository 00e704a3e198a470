# The users rules as a matrix: caller role × what happens to the target (create, change, remove)
# × whether the owner role is involved, plus self-changes and the last owner.
package workjet.authz_test

user_write(caller_role, resource) := {
	"action": "users.write",
	"principal": {"type": "api_key", "id": "key-1", "user": "alice", "role": caller_role, "tenant": "acme"},
	"resource": object.union({"type": "user", "tenant": "acme"}, resource),
	"tenant": {"id": "acme", "plan": "team"},
	"request": {"method": "PATCH", "path": "/admin/v1/users/x", "ip": "127.0.0.1", "time": "2026-11-28T14:05:00Z"},
}

# [caller role, target resource, allowed?]
user_cases := [
	# create
	["admin", {"id": "bob", "new_role": "member", "owner_count": 1}, true],
	["admin", {"id": "bob", "new_role": "admin", "owner_count": 1}, true],
	["admin", {"id": "bob", "new_role": "owner", "owner_count": 1}, false],
	["owner", {"id": "bob", "new_role": "owner", "owner_count": 1}, true],
	["member", {"id": "bob", "new_role": "member", "owner_count": 1}, false],
	# change someone else's role
	["admin", {"id": "bob", "role": "member", "new_role": "admin", "owner_count": 1}, true],
	["admin", {"id": "bob", "role": "admin", "new_role": "member", "owner_count": 1}, true],
	["admin", {"id": "bob", "role": "member", "new_role": "owner", "owner_count": 1}, false],
	["admin", {"id": "bob", "role": "owner", "new_role": "admin", "owner_count": 2}, false],
	["owner", {"id": "bob", "role": "member", "new_role": "owner", "owner_count": 1}, true],
	["owner", {"id": "bob", "role": "owner", "new_role": "admin", "owner_count": 2}, true],
	["owner", {"id": "bob", "role": "owner", "new_role": "admin", "owner_count": 1}, false],
	["owner", {"id": "bob", "role": "owner", "new_role": "owner", "owner_count": 1}, true],
	# own role: never, whatever the direction
	["owner", {"id": "alice", "role": "owner", "new_role": "admin", "owner_count": 2}, false],
	["admin", {"id": "alice", "role": "admin", "new_role": "owner", "owner_count": 1}, false],
	["admin", {"id": "alice", "role": "admin", "new_role": "member", "owner_count": 1}, false],
	# remove
	["admin", {"id": "bob", "role": "member", "owner_count": 1}, true],
	["admin", {"id": "bob", "role": "owner", "owner_count": 2}, false],
	["owner", {"id": "bob", "role": "owner", "owner_count": 2}, true],
	["owner", {"id": "bob", "role": "owner", "owner_count": 1}, false],
	["owner", {"id": "alice", "role": "owner", "owner_count": 1}, false],
	["member", {"id": "bob", "role": "member", "owner_count": 1}, false],
]

test_users_matrix if {
	wrong := [[i, c] |
		some i, c in user_cases
		decide(user_write(c[0], c[1])).allow != c[2]
	]
	wrong == []
}

test_admin_creating_an_owner_says_why if {
	got := decide(user_write("admin", {"id": "bob", "new_role": "owner", "owner_count": 1}))
	got == {"allow": false, "reasons": ["only an owner may grant, change or remove the owner role"]}
}

test_own_role_change_says_why if {
	got := decide(user_write("owner", {"id": "alice", "role": "owner", "new_role": "admin", "owner_count": 3}))
	got == {"allow": false, "reasons": ["nobody may change their own role"]}
}

test_last_owner_says_why if {
	got := decide(user_write("owner", {"id": "bob", "role": "owner", "owner_count": 1}))
	got == {"allow": false, "reasons": ["the last owner cannot be removed or demoted"]}
}

test_owner_count_as_a_string_does_not_count if {
	not decide(user_write("owner", {"id": "bob", "role": "owner", "owner_count": "5"})).allow
}

test_users_rules_do_not_touch_other_actions if {
	doc := json.patch(user_write("admin", {"id": "alice", "role": "owner", "new_role": "member", "owner_count": 1}), [{"op": "replace", "path": "/action", "value": "users.read"}])
	decide(doc).allow
}
