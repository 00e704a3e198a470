# Skills: members create skills and change only the ones they own; admins change any of
# their tenant's skills (and publish them, see data.roles).
package workjet.authz

deny contains "members may only change their own skills" if {
	input.action == "skills.write"
	role_name == "member"
	owner := input.resource.owner
	owner != user_name
}
