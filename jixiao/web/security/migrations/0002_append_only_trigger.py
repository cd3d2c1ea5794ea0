"""On PostgreSQL, the database itself refuses UPDATE and DELETE of audit entries (a trigger), so
not even code that bypasses the ORM can change the log. (A database owner can still disable the
trigger; the chain's seals find what they do then.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION jixiao_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER jixiao_audit_append_only BEFORE UPDATE OR DELETE ON security_auditentry
  FOR EACH ROW EXECUTE FUNCTION jixiao_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS jixiao_audit_append_only ON security_auditentry;
DROP FUNCTION IF EXISTS jixiao_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
