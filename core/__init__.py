"""The shared base every app may import and that imports no app of ours: domain errors and their
HTTP statuses, throttles, middleware, metrics primitives, a bounded cache helper, the API's base
classes. The Django project (``photomania``) wires the apps together on top of it.
"""
