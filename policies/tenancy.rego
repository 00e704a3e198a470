# Tenant isolation, enforced by the policy itself (the gateway's scoped stores are the first
# net): a principal only ever acts on its own tenant's resources. The one exception is the
# marketplace: any tenant may read a published skill's metadata and install a copy of it.
package workjet.authz

principal_tenant := t if {
	t := input.principal.tenant
	is_string(t)
	t != ""
}

resource_tenant := t if {
	t := input.resource.tenant
	is_string(t)
	t != ""
}

request_tenant_matches if input.tenant.id == principal_tenant

same_tenant if resource_tenant == principal_tenant

# Reading or installing a published skill is the only action allowed across tenants.
marketplace_actions := {"marketplace.browse", "marketplace.install", "skills.read"}

published_skill_exception if {
	input.action in marketplace_actions
	input.resource.type == "skill"
	input.resource.published == true
}

deny contains "principal has no tenant" if not principal_tenant

deny contains "request tenant differs from the principal's tenant" if {
	principal_tenant
	not request_tenant_matches
}

deny contains "resource has no tenant" if not resource_tenant

deny contains "resource belongs to another tenant" if {
	principal_tenant
	resource_tenant
	not same_tenant
	not published_skill_exception
}
