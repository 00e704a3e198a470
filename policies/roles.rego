# Role permissions: `data.roles` maps a role to the actions it grants and the roles it includes
# (owner includes admin, admin includes member), so owner ⊃ admin ⊃ member holds by construction.
package workjet.authz

known_action if action_name in data.actions

known_role if data.roles[role_name]

role_graph := {name: role.includes | some name, role in data.roles}

# The principal's role plus every role it includes, transitively.
effective_roles := graph.reachable(role_graph, {role_name}) if known_role

granted if {
	known_action
	some role in effective_roles
	action_name in data.roles[role].grants
}

deny contains concat("", ["unknown action ", action_name]) if not known_action

deny contains concat("", ["unknown role ", role_name]) if not known_role

deny contains concat("", ["role ", role_name, " does not grant ", action_name]) if {
	known_action
	known_role
	not granted
}
