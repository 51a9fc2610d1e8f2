"""Who is acting and what they may do: roles (viewer, editor, admin) and the audit trail."""
