# The entrypoint `workjet/authz/decision`. Every other file adds `deny` reasons; a request is
# allowed only when a role grants the action and no rule denies it (deny by default).
package workjet.authz

# {"allow": bool, "reasons": [string]}: the reasons are the denials, or the grant when allowed.
decision := {"allow": allow, "reasons": reasons}

default allow := false

allow if {
	granted
	count(deny) == 0
}

reasons := [concat("", ["role ", role_name, " grants ", action_name])] if {
	allow
} else := sort(deny)

# Normalised views of the input: a missing or non-string field becomes a placeholder, so a
# reason can always be written and a malformed input can never match a grant.
default action_name := "<missing>"

action_name := a if {
	a := input.action
	is_string(a)
}

default role_name := "<missing>"

role_name := r if {
	r := input.principal.role
	is_string(r)
}

default user_name := "<missing>"

user_name := u if {
	u := input.principal.user
	is_string(u)
}

default plan_name := "<missing>"

plan_name := p if {
	p := input.tenant.plan
	is_string(p)
}
