from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "wuye.demo"
    label = "demo"
    verbose_name = "Demo data"
