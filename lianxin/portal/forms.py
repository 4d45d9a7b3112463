"""The residents' forms: they parse what was typed; the workflow actions decide."""

import re
import uuid

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import User
from lianxin.cases.models import Category, Satisfaction
from lianxin.cases.photos import MAX_PHOTOS, clean_photo
from lianxin.geo.coords import WGS84
from lianxin.geo.points import parse_point

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def category_choices() -> list:
    """'Not sure' first, then the active second-level categories under their first level."""
    children = Category.objects.filter(
        parent__isnull=False, active=True, parent__active=True
    ).select_related("parent")
    groups: dict[str, list[tuple[str, str]]] = {}
    pairs = [(child.parent, child) for child in children if child.parent is not None]
    for parent, child in sorted(pairs, key=lambda pair: (pair[0].sort_order, pair[0].code)):
        groups.setdefault(parent.name, []).append((str(child.pk), child.name))
    return [("", _("不确定（由工作人员分类）")), *groups.items()]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to six photos, each checked and re-encoded; errors name every bad file."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("最多上传6张照片。"))
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(clean_photo(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ConcernForm(forms.Form):
    category = forms.ChoiceField(label=_("问题分类"), required=False)
    title = forms.CharField(
        label=_("标题"),
        max_length=100,
        error_messages={"required": _("请填写标题。")},
        widget=forms.TextInput(attrs={"placeholder": _("一句话说明问题，如：小区门口路灯不亮")}),
    )
    text = forms.CharField(
        label=_("具体情况"),
        max_length=5000,
        error_messages={"required": _("请填写具体情况。")},
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("发生了什么、持续多久、影响了谁")}
        ),
    )
    photos = PhotosField(label=_("照片（选填，最多6张）"))
    address = forms.CharField(
        label=_("地址"),
        max_length=200,
        error_messages={"required": _("请填写问题发生的地址。")},
        widget=forms.TextInput(attrs={"placeholder": _("如：福临苑小区3号楼门口")}),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    # The datum the pin was given in: the map's tiles' (geo/_pin.html), or WGS-84 from GPS.
    datum = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    name = forms.CharField(label=_("您的称呼"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        error_messages={"required": _("请填写手机号，用于查询进度和回访。")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=_("短信验证码（选填）"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )
    anonymous = forms.BooleanField(label=_("匿名反映（不向承办部门显示姓名）"), required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def clean_category(self):
        value = self.cleaned_data["category"]
        if not value:
            return None
        return Category.objects.filter(
            pk=value, parent__isnull=False, active=True, parent__active=True
        ).first()

    def clean_phone(self):
        return re.sub(r"\s", "", self.cleaned_data["phone"])

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code and not (code.isdigit() and len(code) == 6):
            raise ValidationError(_("验证码是短信中的6位数字。"))
        return code

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not TOKEN_RE.match(token):
            raise ValidationError(_("表单已失效，请刷新页面后重新提交。"))
        return token

    def clean(self):
        data = super().clean()
        try:
            point = parse_point(
                data.get("latitude"), data.get("longitude"), data.get("datum") or WGS84
            )
        except ValidationError as error:
            # The pin is hidden input: say so above the form, and drop the bad point from
            # the page so that sending the form again goes through without it.
            self.add_error(
                None,
                _("地图上的位置无效（%(reason)s），已清除；请重新点选或直接提交。")
                % {"reason": error.messages[0].rstrip("。")},
            )
            self.data = self.data.copy()
            self.data["latitude"] = self.data["longitude"] = ""
            point = None
        data["latitude"], data["longitude"] = point if point else (None, None)
        return data


class FollowForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("受理编号"),
        max_length=20,
        error_messages={"required": _("请填写受理编号。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone_last4 = forms.CharField(
        label=_("手机号后四位"),
        max_length=4,
        min_length=4,
        error_messages={"required": _("请填写手机号后四位。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off"}
        ),
    )

    def clean_tracking_number(self):
        return self.cleaned_data["tracking_number"].strip().upper()

    def clean_phone_last4(self):
        digits = self.cleaned_data["phone_last4"].strip()
        if not digits.isdigit() or len(digits) != 4:
            raise ValidationError(_("请填写4位数字。"))
        return digits


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果是否满意？"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    solved = forms.TypedChoiceField(
        label=_("问题是否已经解决？"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否已经解决。")},
    )
    comment = forms.CharField(
        label=_("您的意见（不满意时必填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignupForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,  # spaces are allowed while typing; clean_phone removes them
        error_messages={"required": _("请填写手机号。")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    full_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        error_messages={"required": _("请填写姓名。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("密码（至少8位）"),
        strip=False,
        error_messages={"required": _("请设置密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_phone(self):
        phone = re.sub(r"\s", "", self.cleaned_data["phone"])
        if not MOBILE_RE.match(phone):
            raise ValidationError(_("请填写11位手机号。"))
        return phone

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            # The account to be: the similarity check compares with its phone and name.
            user = User(
                username=data.get("phone", ""),
                phone=data.get("phone", ""),
                full_name=data.get("full_name", ""),
            )
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class ResetRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        error_messages={"required": _("请填写手机号。")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        phone = re.sub(r"\s", "", self.cleaned_data["phone"])
        if not MOBILE_RE.match(phone):
            raise ValidationError(_("请填写11位手机号。"))
        return phone


class ResetPasswordForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        error_messages={"required": _("请填写短信验证码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        error_messages={"required": _("请设置新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再输一次新密码"),
        strip=False,
        error_messages={"required": _("请再输一次新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, phone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone = phone

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        elif first:
            # Compared with the phone only: the account's name would tell whether the
            # phone has an account.
            try:
                validate_password(first, User(username=self.phone, phone=self.phone))
            except ValidationError as error:
                self.add_error("new_password1", error)
        return data
