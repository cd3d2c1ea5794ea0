# Merge of the API audit job (issue 20) with the department tier and targets migrations.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('web', '0011_api_audit_job'),
        ('web', '0012_merge_dept_targets'),
    ]

    operations = [
    ]
