"""The broker profile on the tenant (firm name and legal form, phone, address, e-mail,
opening hours, broker register number and the broker ID customers quote), which the settings
page fills and the portal home shows; and a phone number of their own for staff users, shown
on the customer's advisor card. Every new column is text with an empty default, so existing
rows need no backfill."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_activity_notifications')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Tenant',
            name='broker_city',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_email',
            field=fields.CharField(default='', db_default='', max_length=254),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_firm_name',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_legal_form',
            field=fields.CharField(default='', db_default='', max_length=60),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_number',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_opening_hours',
            field=fields.CharField(default='', db_default='', max_length=500),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_phone',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_postal_code',
            field=fields.CharField(default='', db_default='', max_length=10),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_register_number',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_street',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='User',
            name='phone',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
    ]
