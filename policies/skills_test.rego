# Members change only their own skills; admins change any of their tenant's skills.
package workjet.authz_test

skill_write(role, owner) := {
	"action": "skills.write",
	"principal": {"type": "session", "id": "session:s1", "user": "bob", "role": role, "tenant": "acme"},
	"resource": {"type": "skill", "id": "sk-1", "tenant": "acme", "owner": owner},
	"tenant": {"id": "acme", "plan": "team"},
	"request": {"method": "PUT", "path": "/admin/v1/skills/sk-1", "ip": "127.0.0.1", "time": "2026-11-28T14:05:00Z"},
}

test_member_may_change_own_skill if {
	decide(skill_write("member", "bob")).allow
}

test_member_may_not_change_someone_elses_skill if {
	got := decide(skill_write("member", "alice"))
	got == {"allow": false, "reasons": ["members may only change their own skills"]}
}

test_admin_may_change_any_skill_of_the_tenant if {
	decide(skill_write("admin", "alice")).allow
}

test_member_may_create_a_skill if {
	decide(json.remove(skill_write("member", "x"), ["resource/owner"])).allow
}

skill_publish(role) := json.patch(skill_write(role, "alice"), [{"op": "replace", "path": "/action", "value": "skills.publish"}])

test_member_may_not_publish if {
	not decide(skill_publish("member")).allow
}

test_admin_may_publish_any_skill_of_the_tenant if {
	decide(skill_publish("admin")).allow
}

# A skill nobody created over the API (owner "") is no member's own.
test_member_may_not_change_a_skill_without_creator if {
	not decide(skill_write("member", "")).allow
}

test_no_role_may_change_another_tenants_skill if {
	every role in ["member", "admin", "owner"] {
		not decide(json.patch(skill_write(role, "bob"), [{"op": "replace", "path": "/resource/tenant", "value": "globex"}])).allow
	}
}
