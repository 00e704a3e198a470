# Model access: which resources a model action may name, and the plan rules from
# `data.plans` (direct `provider/model` access, tier tags a plan is limited to).
package workjet.authz

model_actions := {"model.invoke", "model.list"}

# `models` is the tenant's model list as a whole (GET /v1/models).
model_resource_types := {"tier", "model", "models"}

deny contains "model actions need a tier or model resource" if {
	input.action in model_actions
	not input.resource.type in model_resource_types
}

# Direct `provider/model` requests bypass the tenant's tiers: only plans that allow it.
deny contains concat("", ["plan ", plan_name, " does not allow direct provider/model access"]) if {
	input.action in model_actions
	input.resource.type == "model"
	not data.plans[plan_name].direct_models == true
}

# Worked example: a tenant on plan `free` may only use tiers tagged `cheap`
# (`data.plans.free.required_tier_tag`); the tags come from the tier's config.
deny contains concat("", ["plan ", plan_name, " may only use tiers tagged ", required]) if {
	input.action in model_actions
	input.resource.type == "tier"
	required := data.plans[plan_name].required_tier_tag
	not required in object.get(input.resource, "tags", [])
}
