"""On PostgreSQL, TRUNCATE of the audit log is refused too. Row triggers (0002) do not fire on
TRUNCATE, which empties the table in one statement and left a chain that verified as whole (issue 19).
The anchor outside the database (security/anchor.py) finds it as well, should the trigger be dropped."""

from django.db import migrations

CREATE = """
CREATE TRIGGER jixiao_audit_no_truncate BEFORE TRUNCATE ON security_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION jixiao_audit_append_only();
CREATE TRIGGER jixiao_audit_head_no_truncate BEFORE TRUNCATE ON security_chainhead
  FOR EACH STATEMENT EXECUTE FUNCTION jixiao_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS jixiao_audit_no_truncate ON security_auditentry;
DROP TRIGGER IF EXISTS jixiao_audit_head_no_truncate ON security_chainhead;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("security", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
