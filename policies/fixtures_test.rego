# Shared fixtures for the policy tests: a well-formed input for any role, action and tenant.
package workjet.authz_test

# Resource type each action is normally asked about (what the gateway and admin API send).
resource_types := {
	"model": "tier",
	"skills": "skill",
	"marketplace": "skill",
	"keys": "key",
	"users": "user",
	"routing": "routing",
	"dlp": "dlp",
	"limits": "limits",
	"usage": "usage",
	"audit": "audit",
	"budget": "budget",
	"provider_keys": "provider_key",
	"roles": "user",
}

resource_type(action) := resource_types[split(action, ".")[0]]

case(role, action, resource_tenant) := {
	"action": action,
	"principal": {"type": "api_key", "id": "key-1", "user": "alice", "role": role, "tenant": "acme"},
	"resource": {"type": resource_type(action), "id": "r-1", "tenant": resource_tenant, "tags": ["cheap"]},
	"tenant": {"id": "acme", "plan": "team"},
	"request": {"method": "POST", "path": "/v1/chat/completions", "ip": "127.0.0.1", "time": "2026-11-28T14:05:00Z"},
}

decide(doc) := d if {
	d := data.workjet.authz.decision with input as doc
}

model_input(role, plan, resource, time) := {
	"action": "model.invoke",
	"principal": {"type": "api_key", "id": "key-1", "user": "bob", "role": role, "tenant": "acme"},
	"resource": object.union({"tenant": "acme"}, resource),
	"tenant": {"id": "acme", "plan": plan},
	"request": {"method": "POST", "path": "/v1/chat/completions", "ip": "127.0.0.1", "time": time},
}
