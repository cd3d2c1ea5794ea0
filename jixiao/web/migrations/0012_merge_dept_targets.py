# Merge of the 主管部门 tier (issue 22) and the approved targets (issue 20) migrations.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('web', '0011_dept_tier'),
        ('web', '0011_targets_approved_target'),
    ]

    operations = [
    ]
